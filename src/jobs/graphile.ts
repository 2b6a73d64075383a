/**
 * The job queue on PostgreSQL: graphile-worker 0.16 (the last line that runs on Node 20), in its
 * own `graphile_worker` schema of the app's database, through the app's pg pool.
 *
 * Why graphile-worker rather than pg-boss 10: a job added by `serve` reaches an idle worker by
 * LISTEN/NOTIFY within milliseconds instead of at the next poll; jobKey coalescing is built in
 * (a waiting job is replaced, a running one is not disturbed); its cron records the last tick per
 * schedule in the database, so N workers schedule each tick once; claiming is SKIP LOCKED.
 */
import { Cron } from 'croner';
import type pg from 'pg';
import { Logger, makeWorkerUtils, parseCronItems, run, runMigrations, runOnce, type CronItem, type JobHelpers, type Runner, type Task, type TaskList, type WorkerUtils } from 'graphile-worker';
import { DEFAULT_MAX_ATTEMPTS, type EnqueueOptions, type Handlers, type JobLog, type JobName, type JobPayloads, type JobQueue, type Schedule, type StartOptions } from './types.ts';

/** Serialises graphile-worker's schema installation across processes starting together. */
const MIGRATE_LOCK = 0x6470_6a6f; // "dpjo"

function graphileLogger(log: JobLog): Logger {
  return new Logger((scope) => (level, message, meta) => {
    const obj = { ...scope, ...meta, component: 'graphile-worker' };
    // Its per-job "Completed task" lines are info; ours (handlers) say what matters.
    if (level === 'error') log.error(obj, message);
    else if (level === 'warning') log.warn(obj, message);
    else log.debug(obj, message);
  });
}

/**
 * graphile-worker's cron matches minutes in UTC; DIGEST_CRON is meant in DIGEST_TZ. A matcher
 * function gets the UTC minute (without its year) and asks croner whether the pattern, in that
 * zone, fires then. The year is the one that puts the minute nearest to now: the matcher is only
 * asked about now and the recent past (backfill).
 */
export function zonedMatcher(pattern: string, timezone: string): (d: { min: number; hour: number; date: number; month: number }) => boolean {
  const cron = new Cron(pattern, { timezone, paused: true });
  return (d) => {
    const now = Date.now();
    const y = new Date(now).getUTCFullYear();
    let best = 0;
    for (const year of [y - 1, y, y + 1]) {
      const t = Date.UTC(year, d.month - 1, d.date, d.hour, d.min);
      if (!best || Math.abs(t - now) < Math.abs(best - now)) best = t;
    }
    return cron.match(new Date(best));
  };
}

export function cronItems(schedules: Schedule[]): CronItem[] {
  return schedules.map((s) => ({
    task: s.task,
    identifier: s.identifier,
    match: s.timezone && s.timezone !== 'UTC' && s.timezone !== 'Etc/UTC' ? zonedMatcher(s.cron, s.timezone) : s.cron,
    payload: s.payload ?? {},
    options: {
      backfillPeriod: s.backfillMs ?? 0,
      maxAttempts: s.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      ...(s.coalesce === false ? {} : { jobKey: `cron:${s.identifier}` }),
    },
  }));
}

function taskList(handlers: Handlers, signal: () => AbortSignal): TaskList {
  const out: TaskList = {};
  for (const [name, handler] of Object.entries(handlers)) {
    if (!handler) continue;
    const task: Task = async (payload, helpers: JobHelpers) => {
      const { _cron, ...rest } = (payload ?? {}) as { _cron?: { ts: string } } & Record<string, unknown>;
      await handler(rest, {
        id: helpers.job.id,
        name,
        attempt: helpers.job.attempts,
        key: helpers.job.key,
        scheduledAt: _cron ? new Date(_cron.ts) : null,
        signal: helpers.abortSignal ?? signal(),
      });
    };
    out[name] = task;
  }
  return out;
}

export class GraphileQueue implements JobQueue {
  readonly backend = 'graphile' as const;
  private utils: Promise<WorkerUtils> | null = null;
  private runner: Runner | null = null;
  private migrated: Promise<void> | null = null;
  private readonly logger: Logger;
  private readonly abort = new AbortController();

  constructor(
    private readonly pool: pg.Pool,
    log: JobLog,
    private readonly opts: { pollIntervalMs?: number } = {},
  ) {
    this.logger = graphileLogger(log);
  }

  /** Installs or upgrades the graphile_worker schema; once per process, one process at a time. */
  migrate(): Promise<void> {
    this.migrated ??= (async () => {
      const client = await this.pool.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [MIGRATE_LOCK]);
        await runMigrations({ pgPool: this.pool, logger: this.logger });
      } finally {
        await client.query('select pg_advisory_unlock($1)', [MIGRATE_LOCK]).catch(() => {});
        client.release();
      }
    })().catch((err) => {
      this.migrated = null;
      throw err;
    });
    return this.migrated;
  }

  private workerUtils(): Promise<WorkerUtils> {
    this.utils ??= this.migrate()
      .then(() => makeWorkerUtils({ pgPool: this.pool, logger: this.logger }))
      .catch((err) => {
        this.utils = null;
        throw err;
      });
    return this.utils;
  }

  async enqueue<N extends JobName>(name: N, payload: JobPayloads[N], opts: EnqueueOptions = {}): Promise<void> {
    const utils = await this.workerUtils();
    await utils.addJob(name as string, payload as unknown, { jobKey: opts.jobKey, runAt: opts.runAt, maxAttempts: opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS });
  }

  async start(handlers: Handlers, opts: StartOptions = {}): Promise<void> {
    await this.migrate();
    this.runner = await run({
      pgPool: this.pool,
      logger: this.logger,
      concurrency: Math.max(1, opts.concurrency ?? 1),
      // New jobs arrive by NOTIFY; polling only finds jobs whose run_at was in the future.
      pollInterval: this.opts.pollIntervalMs ?? 2000,
      noHandleSignals: true,
      taskList: taskList(handlers, () => this.abort.signal),
      parsedCronItems: parseCronItems(cronItems(opts.schedules ?? [])),
    });
  }

  async runOnce(handlers: Handlers): Promise<void> {
    await this.migrate();
    await runOnce({ pgPool: this.pool, logger: this.logger, noHandleSignals: true, taskList: taskList(handlers, () => this.abort.signal) });
  }

  async stop(): Promise<void> {
    const r = this.runner;
    this.runner = null;
    // Graceful: running jobs finish (their abortSignal fires after gracefulShutdownAbortTimeout).
    if (r) await r.stop();
    const u = this.utils;
    this.utils = null;
    if (u) await (await u.catch(() => null))?.release();
  }
}
