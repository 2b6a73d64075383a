/**
 * Moves WAL checkpoints off the importing thread. Every committed page is written twice: to the
 * WAL, then, at a checkpoint, into the database file, with a sync of each. Left to the writer, that
 * second copy (several µs a record, more with the search index's pages) lands on the one thread
 * the import already keeps busy; done by a second connection on another thread, it overlaps with
 * the writing. PASSIVE checkpoints never block the writer, and the writer keeps its own
 * auto-checkpoint as a bound should this one fall behind.
 */
import { Worker } from 'node:worker_threads';
import type { Db } from '../storage/db.ts';

/** Often enough that the WAL stays a few batches long, rarely enough that syncs stay few. */
const INTERVAL_MS = 250;

export interface Checkpointer {
  stop(): Promise<void>;
}

/** Starts one for a file database; null for `:memory:` or when a thread cannot start. */
export function startCheckpointer(db: Db): Checkpointer | null {
  if (!db.sqlite || db.sqlite.memory || db.sqlite.readonly) return null;
  let worker: Worker;
  try {
    worker = new Worker(new URL('./checkpoint-worker.mjs', import.meta.url), { workerData: { file: db.sqlite.name, intervalMs: INTERVAL_MS } });
  } catch {
    return null;
  }
  // A failure only means the writer checkpoints by itself again.
  worker.on('error', () => {});
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      worker.postMessage('stop');
      // It ends by itself once its connection is closed; a stuck one is not waited for long.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, 2_000)))]);
      clearTimeout(timer);
      await worker.terminate();
    },
  };
}
