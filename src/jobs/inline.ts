/**
 * The job queue for SQLite: kept in the memory of the process that runs it (`serve`, or one
 * `worker`). SQLite has no cross-process wake-up, and one process owns the jobs anyway; a queued
 * job survives nothing more than that process. That is acceptable because everything it runs is
 * re-derivable: schedules tick again, digests and the outbox resume from their tables (periods and
 * idempotency keys), trending and search catch up on their next run.
 *
 * Semantics follow graphile-worker's so that handlers behave alike on both storages: jobKey
 * replaces a waiting job (a running one is left to finish, and the new one may run beside it),
 * failures are retried after exp(attempt) seconds until maxAttempts, then dropped with an error.
 */
import { Cron } from 'croner';
import { DEFAULT_MAX_ATTEMPTS, type EnqueueOptions, type Handlers, type JobInfo, type JobLog, type JobName, type JobPayloads, type JobQueue, type Schedule, type StartOptions } from './types.ts';

interface Entry {
  id: number;
  name: string;
  payload: unknown;
  key: string | null;
  runAt: number;
  attempts: number;
  maxAttempts: number;
  scheduledAt: Date | null;
  running: boolean;
}

/** graphile-worker's backoff, so a failing job is retried on the same rhythm on both storages. */
export function retryDelayMs(attempts: number): number {
  return Math.round(Math.exp(Math.min(attempts, 10)) * 1000);
}

export class InlineQueue implements JobQueue {
  readonly backend = 'inline' as const;
  private jobs: Entry[] = [];
  private seq = 0;
  private handlers: Handlers | null = null;
  private concurrency = 1;
  private active = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private crons: Cron[] = [];
  private abort = new AbortController();
  private started = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly log: JobLog,
    private readonly opts: { graceMs?: number; retryDelayMs?: (attempts: number) => number } = {},
  ) {}

  async enqueue<N extends JobName>(name: N, payload: JobPayloads[N], opts: EnqueueOptions = {}): Promise<void> {
    this.add(name, payload, opts, null);
  }

  /** Jobs waiting or running (tests, `worker --dry-run`). */
  size(): number {
    return this.jobs.length;
  }

  private add(name: string, payload: unknown, opts: EnqueueOptions, scheduledAt: Date | null): void {
    const runAt = opts.runAt?.getTime() ?? Date.now();
    const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    const waiting = opts.jobKey ? this.jobs.find((j) => j.key === opts.jobKey && !j.running) : undefined;
    if (waiting) Object.assign(waiting, { name, payload, runAt, maxAttempts, scheduledAt, attempts: 0 });
    else this.jobs.push({ id: ++this.seq, name, payload, key: opts.jobKey ?? null, runAt, attempts: 0, maxAttempts, scheduledAt, running: false });
    this.pump();
  }

  async start(handlers: Handlers, opts: StartOptions = {}): Promise<void> {
    this.handlers = handlers;
    this.concurrency = Math.max(1, opts.concurrency ?? 1);
    this.started = true;
    if (this.abort.signal.aborted) this.abort = new AbortController();
    for (const s of opts.schedules ?? []) this.crons.push(this.schedule(s));
    this.pump();
  }

  private schedule(s: Schedule): Cron {
    return new Cron(s.cron, { timezone: s.timezone, catch: (err) => this.log.error({ err, schedule: s.identifier }, 'schedule failed') }, () => {
      const tick = new Date();
      tick.setSeconds(0, 0);
      this.add(s.task, { ...s.payload }, { jobKey: s.coalesce === false ? undefined : `cron:${s.identifier}`, maxAttempts: s.maxAttempts }, tick);
    });
  }

  async runOnce(handlers: Handlers): Promise<void> {
    this.handlers = handlers;
    for (let next = this.nextDue(Date.now()); next; next = this.nextDue(Date.now())) await this.run(next);
  }

  /** Resolves once nothing is due and nothing runs (tests). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.started = false;
    for (const c of this.crons) c.stop();
    this.crons = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // Handlers get the grace period to finish, then their signal asks them to give up.
    const force = setTimeout(() => this.abort.abort(), this.opts.graceMs ?? 5000);
    force.unref();
    await Promise.allSettled([...this.active]);
    clearTimeout(force);
    const lost = this.jobs.filter((j) => !j.running).length;
    if (lost) this.log.warn({ jobs: lost, names: [...new Set(this.jobs.map((j) => j.name))] }, 'in-process jobs not run before stopping (they are re-derived at the next start)');
  }

  private nextDue(now: number): Entry | null {
    let best: Entry | null = null;
    for (const j of this.jobs) if (!j.running && j.runAt <= now && (!best || j.runAt < best.runAt || (j.runAt === best.runAt && j.id < best.id))) best = j;
    return best;
  }

  private isIdle(): boolean {
    return this.active.size === 0 && !this.nextDue(Date.now());
  }

  private pump(): void {
    if (!this.started) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const now = Date.now();
    for (let next = this.nextDue(now); next && this.active.size < this.concurrency; next = this.nextDue(now)) {
      const p: Promise<void> = this.run(next).finally(() => {
        this.active.delete(p);
        this.pump();
      });
      this.active.add(p);
    }
    const later = this.jobs.filter((j) => !j.running && j.runAt > now).reduce((m, j) => Math.min(m, j.runAt), Infinity);
    if (Number.isFinite(later)) {
      // Unref'd: the queue never keeps a process alive by itself (serve's socket, worker's wait do).
      this.timer = setTimeout(() => this.pump(), Math.min(later - now, 2 ** 31 - 1));
      this.timer.unref();
    }
    if (this.isIdle()) for (const w of this.idleWaiters.splice(0)) w();
  }

  private async run(job: Entry): Promise<void> {
    job.running = true;
    job.attempts++;
    const info: JobInfo = { id: String(job.id), name: job.name, attempt: job.attempts, key: job.key, scheduledAt: job.scheduledAt, signal: this.abort.signal };
    const t0 = performance.now();
    try {
      const handler = this.handlers?.[job.name];
      if (!handler) throw new Error(`no handler for job "${job.name}"`);
      await handler(job.payload, info);
      this.jobs = this.jobs.filter((j) => j !== job);
      this.log.debug({ job: job.id, task: job.name, ms: Math.round(performance.now() - t0) }, 'job done');
    } catch (err) {
      if (job.attempts >= job.maxAttempts) {
        this.jobs = this.jobs.filter((j) => j !== job);
        this.log.error({ err, job: job.id, task: job.name, attempts: job.attempts }, 'job failed; giving up');
      } else {
        job.running = false;
        job.runAt = Date.now() + (this.opts.retryDelayMs ?? retryDelayMs)(job.attempts);
        this.log.warn({ err, job: job.id, task: job.name, attempts: job.attempts, retryAt: new Date(job.runAt).toISOString() }, 'job failed; will retry');
      }
    }
  }
}
