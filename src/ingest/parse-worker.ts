/**
 * Worker-thread entry: reads, gunzips, parses and normalises the import's files in order and posts
 * their `FileEvent`s to the main thread, which only merges and writes. That puts parsing, a third of
 * the import's work without the search index, on the second core. Started by `parse-source.ts`.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { readFileEvents, type FileEvent } from './file-events.ts';
import type { FormatName } from './parsers/index.ts';

export interface WorkerInput {
  files: string[];
  format: FormatName | 'auto' | undefined;
  /** Events posted but not yet taken by the main thread; bounds the memory a slow writer lets pile up. */
  maxInFlight: number;
}

export type WorkerMessage =
  | { type: 'ready' }
  | (FileEvent & { file: number })
  /** Something other than a bad line or a bad file went wrong; the import stops. */
  | { type: 'fatal'; file: number; message: string; stack?: string };

/** What the main thread sends back each time it takes an event off its queue. */
export const ACK = 'ack';

async function run(): Promise<void> {
  const port = parentPort!;
  const input = workerData as WorkerInput;
  let credits = input.maxInFlight;
  let wake: (() => void) | null = null;
  port.on('message', (m) => {
    if (m !== ACK) return;
    credits++;
    const w = wake;
    wake = null;
    w?.();
  });
  const send = async (msg: WorkerMessage) => {
    while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
    credits--;
    port.postMessage(msg);
  };
  port.postMessage({ type: 'ready' } satisfies WorkerMessage);
  for (let i = 0; i < input.files.length; i++) {
    try {
      for await (const ev of readFileEvents(input.files[i], input.format)) await send({ ...ev, file: i });
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      port.postMessage({ type: 'fatal', file: i, message: e.message, stack: e.stack } satisfies WorkerMessage);
      return;
    }
  }
  // The main thread terminates the worker once it has taken the last event.
}

// Imported on the main thread too, for the protocol's names.
if (!isMainThread) void run();
