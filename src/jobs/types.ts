/**
 * One job interface for both storages. On PostgreSQL the queue is graphile-worker's tables
 * (graphile.ts), shared by every `serve` and `worker` process; on SQLite it is a queue in the
 * memory of the one process that runs it (inline.ts). Handlers are written once (handlers.ts).
 */
import type { FeatureMode } from '../ingest/pipeline.ts';

export interface JobPayloads {
  /** No frequency: what the schedule would render at `now` (daily, plus weekly on its day). */
  'digest.send': { frequency?: 'daily' | 'weekly'; now?: string };
  /** Due webhook rows of the outbox; `ids` narrows to those rows. */
  'webhook.deliver': { ids?: number[] };
  /** Everything due in the outbox: confirmations, digests, retries whose backoff ended. */
  'outbox.drain': Record<string, never>;
  'import.paths': { paths: string[]; feature?: FeatureMode };
  'trending.redecay': { now?: string };
  'search.sync': Record<string, never>;
}

export type JobName = keyof JobPayloads;
export const JOB_NAMES: readonly JobName[] = ['digest.send', 'webhook.deliver', 'outbox.drain', 'import.paths', 'trending.redecay', 'search.sync'];

export interface EnqueueOptions {
  /**
   * Coalescing: while a job with this key waits, enqueueing again replaces it (payload, run time)
   * instead of adding a second; once it runs, a new one may be queued behind it.
   */
  jobKey?: string;
  runAt?: Date;
  /** Runs in all, failures included (default 5). */
  maxAttempts?: number;
}

export interface JobInfo {
  id: string;
  name: string;
  /** 1 on the first run. */
  attempt: number;
  key: string | null;
  /** For scheduled jobs, the tick they stand for (a late or backfilled run still knows its day). */
  scheduledAt: Date | null;
  /** Aborted when the process is stopping and the grace period ran out. */
  signal: AbortSignal;
}

// Payloads are checked where they are consumed (handlers.ts): a queue is a process boundary.
export type Handler = (payload: any, job: JobInfo) => Promise<void>;
/** By job name; tests may register names of their own. */
export type Handlers = Record<string, Handler | undefined>;

/** A recurring job. Patterns are croner/crontab syntax, minute resolution (graphile-worker's cron). */
export interface Schedule {
  /** Stable name: graphile-worker remembers the last tick per identifier, so N workers run it once. */
  identifier: string;
  task: JobName;
  cron: string;
  timezone?: string;
  payload?: Record<string, unknown>;
  /** A tick missed while no worker ran is still run if at most this old (default 0: skipped). */
  backfillMs?: number;
  /** Coalesce: a tick waiting behind a busy worker is replaced by the next one (default true). */
  coalesce?: boolean;
  maxAttempts?: number;
}

export interface StartOptions {
  concurrency?: number;
  schedules?: Schedule[];
}

export interface JobLog {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface JobQueue {
  readonly backend: 'inline' | 'graphile';
  enqueue<N extends JobName>(name: N, payload: JobPayloads[N], opts?: EnqueueOptions): Promise<void>;
  /** Runs jobs (and schedules) until stop(). */
  start(handlers: Handlers, opts?: StartOptions): Promise<void>;
  /** Runs every job due now, one at a time, and returns when none is left (`worker --once`). */
  runOnce(handlers: Handlers): Promise<void>;
  /** Stops taking jobs and waits for the running ones; enqueueing still works until close(). */
  stop(): Promise<void>;
}

export const DEFAULT_MAX_ATTEMPTS = 5;
