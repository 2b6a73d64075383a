/**
 * Background jobs: digests, webhook deliveries, imports, trending re-decay, search sync.
 *
 * Where they run is JOBS=inline|worker:
 *  - inline (default on SQLite): `serve` runs them in-process, as it always has;
 *  - worker (default on PostgreSQL): `serve` only enqueues; `dailypapers worker` processes run
 *    them, from the shared queue, each schedule tick once whatever the number of workers.
 */
import type { Db } from '../storage/db.ts';
import { GraphileQueue } from './graphile.ts';
import { InlineQueue } from './inline.ts';
import type { JobLog, JobQueue } from './types.ts';

export * from './types.ts';
export { jobHandlers, jobSchedules, type JobDeps } from './handlers.ts';
export { InlineQueue } from './inline.ts';
export { GraphileQueue } from './graphile.ts';

export type JobsMode = 'inline' | 'worker';

export function jobsMode(env: NodeJS.ProcessEnv, db: Pick<Db, 'dialect'>): JobsMode {
  const raw = (env.JOBS ?? '').trim().toLowerCase();
  if (raw === 'inline' || raw === 'worker') return raw;
  if (raw) throw new Error(`JOBS must be inline or worker, got "${env.JOBS}"`);
  return db.dialect === 'postgres' ? 'worker' : 'inline';
}

/** The queue of this database: shared (graphile-worker) on PostgreSQL, this process's own on SQLite. */
export function createJobQueue(db: Db, log: JobLog, opts: { pollIntervalMs?: number; graceMs?: number } = {}): JobQueue {
  if (db.dialect === 'postgres') {
    if (!db.pg) throw new Error('a PostgreSQL Db without its pool');
    return new GraphileQueue(db.pg, log, opts);
  }
  return new InlineQueue(log, opts);
}
