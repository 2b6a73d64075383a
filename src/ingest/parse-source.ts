/**
 * Where an import's `FileEvent`s come from: a parse worker on another core when there is enough
 * input to pay for starting one (a few hundred milliseconds, mostly loading TypeScript), else this
 * thread. Either way the files are read strictly in order, so the output is the same.
 */
import { Worker } from 'node:worker_threads';
import type { FormatName } from './parsers/index.ts';
import { readFileEvents, type FileEvent } from './file-events.ts';
import { ACK, type WorkerInput, type WorkerMessage } from './parse-worker.ts';

/** Below this much input (compressed bytes), parsing in-process finishes before a worker would start. */
export const WORKER_MIN_BYTES = 4 << 20;
/**
 * Events posted ahead of the writer: enough to cover a commit, and a bound on memory (an event is a
 * chunk of text's worth of records, about 600, or 512 for formats parsed item by item).
 */
const MAX_IN_FLIGHT = 8;
/** A worker that has not loaded its modules by then is given up on (and parsing stays here). */
const START_TIMEOUT_MS = 15_000;

export interface ParseSource {
  /** The events of `files[index]`; call in index order, each exactly once. */
  events(index: number): AsyncIterable<FileEvent>;
  close(): Promise<void>;
}

export function inProcessSource(files: string[], format: FormatName | 'auto' | undefined): ParseSource {
  return { events: (i) => readFileEvents(files[i], format), close: async () => {} };
}

class WorkerSource implements ParseSource {
  private readonly queue: WorkerMessage[] = [];
  private waiting: { resolve: (m: WorkerMessage) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;

  constructor(private readonly worker: Worker) {
    worker.on('message', (m: WorkerMessage) => {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = null;
        w.resolve(m);
      } else this.queue.push(m);
    });
    const fail = (e: Error) => {
      this.failure ??= e;
      const w = this.waiting;
      this.waiting = null;
      w?.reject(this.failure);
    };
    worker.on('error', (e) => fail(new Error(`parse worker failed: ${e.message}`)));
    worker.on('exit', (code) => fail(new Error(`parse worker exited (code ${code})`)));
  }

  private next(): Promise<WorkerMessage> {
    const m = this.queue.shift();
    if (m) return Promise.resolve(m);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  /** Waits for the worker to have loaded its modules: false when it failed to start. */
  async ready(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), START_TIMEOUT_MS)));
    try {
      const m = await Promise.race([this.next(), timeout]);
      return m?.type === 'ready';
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async *events(index: number): AsyncGenerator<FileEvent> {
    for (;;) {
      const m = await this.next();
      if (m.type === 'ready') continue;
      this.worker.postMessage(ACK);
      if (m.type === 'fatal') {
        const e = new Error(m.message);
        if (m.stack) e.stack = m.stack;
        throw e;
      }
      if (m.file !== index) throw new Error(`parse worker out of step: event for file ${m.file} while reading file ${index}`);
      const { file: _file, ...ev } = m;
      yield ev as FileEvent;
      if (ev.type === 'end' || ev.type === 'skip') return;
    }
  }

  async close(): Promise<void> {
    this.failure ??= new Error('parse worker closed');
    await this.worker.terminate();
  }
}

/** Starts a parse worker; null when one cannot run here (the caller then parses in-process). */
export async function startWorkerSource(files: string[], format: FormatName | 'auto' | undefined): Promise<ParseSource | null> {
  let worker: Worker;
  try {
    const workerData: WorkerInput = { files, format, maxInFlight: MAX_IN_FLIGHT };
    // The .mjs bootstrap registers tsx in the worker: Node 20 workers inherit no TypeScript loader.
    worker = new Worker(new URL('./parse-worker.mjs', import.meta.url), { workerData });
  } catch {
    return null;
  }
  const source = new WorkerSource(worker);
  if (await source.ready()) return source;
  await source.close().catch(() => {});
  return null;
}
