// Checkpoints a SQLite database's WAL from its own thread and connection while an import writes
// through another (see checkpointer.ts). Plain JavaScript: it needs no TypeScript loader, so it
// starts in a few tens of milliseconds.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file, intervalMs } = workerData;
const db = new Database(file, { fileMustExist: true });
// PASSIVE never waits for the writer or readers: it copies what it can and leaves the rest for
// the next round. Only a checkpoint that got nowhere syncs nothing.
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or gone: the writer's own auto-checkpoint remains the safety net.
  }
}, intervalMs);

parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
