/**
 * What each job does, the same on both storages. Every handler is safe to run twice or on two
 * workers at once, because a queue (like any at-least-once delivery) may do exactly that:
 * digests are idempotent per period and subscriber (digest_runs, outbox keys), the outbox is
 * claimed row by row, re-decay and search sync bring state to "now" whatever ran before.
 */
import type { Config } from '../config.ts';
import type { Db } from '../storage/db.ts';
import { preparePeriod } from '../mail/digest.ts';
import { drainOutbox, type DrainStats } from '../mail/sender.ts';
import { newWorkerId } from '../mail/outbox.ts';
import { renderScheduledDigests } from '../mail/scheduler.ts';
import type { MailSettings } from '../mail/settings.ts';
import type { MailTransport } from '../mail/transport.ts';
import { mailKysely } from '../storage/mail-migrations.ts';
import { importPaths, type FeatureMode } from '../ingest/pipeline.ts';
import { trendingTick } from '../services/trending.ts';
import { flushSearchIndex, syncSearchIndex } from '../search/context.ts';
import type { Handlers, JobInfo, JobLog, JobPayloads, JobQueue, Schedule } from './types.ts';

export interface JobDeps {
  db: Db;
  config: Config;
  settings: MailSettings;
  transport: MailTransport;
  log: JobLog;
  /** For follow-up jobs (an import asks for a search sync and a re-decay). */
  queue: JobQueue;
  now?: () => Date;
}

function time(s: string | undefined, job: JobInfo, now: () => Date): Date {
  const t = s ? new Date(s) : (job.scheduledAt ?? now());
  if (Number.isNaN(t.getTime())) throw new Error(`not a date: "${s}"`);
  return t;
}

export function jobHandlers(deps: JobDeps): Handlers {
  const { db, config, settings, transport, log } = deps;
  const now = deps.now ?? (() => new Date());
  // One claimer id per process: outbox rows claimed by a dead worker process are reclaimed by pid.
  const workerId = newWorkerId();
  let searchWarned = false;

  const drain = async (job: JobInfo, onlyIds?: number[]): Promise<DrainStats> =>
    drainOutbox({ db, config, settings, transport, workerId, log: (msg, data) => log.warn({ ...data, job: job.id }, msg) }, { signal: job.signal, onlyIds });

  return {
    async 'digest.send'(p: JobPayloads['digest.send'], job) {
      const t = time(p.now, job, now);
      let periods: string[];
      if (p.frequency === 'daily' || p.frequency === 'weekly') periods = [(await preparePeriod(db, config, settings, p.frequency, t)).run.period];
      else if (p.frequency === undefined) periods = (await renderScheduledDigests({ db, config, settings, log }, t)).periods;
      else throw new Error(`digest.send: frequency must be daily or weekly, got ${JSON.stringify(p.frequency)}`);
      // The job ends when the period's mail is out (or waiting for a retry), not when it is queued.
      const stats = await drain(job);
      log.info({ job: job.id, task: job.name, periods, ...stats }, 'digest job done');
    },

    async 'webhook.deliver'(p: JobPayloads['webhook.deliver'], job) {
      let q = mailKysely(db.kysely).selectFrom('outbox').select('id').where('kind', '=', 'webhook').where('status', '=', 'queued').where('next_attempt_at', '<=', now().toISOString());
      if (p.ids?.length) q = q.where('id', 'in', p.ids.map(Number));
      const ids = (await q.execute()).map((r) => Number(r.id));
      if (ids.length === 0) return;
      const stats = await drain(job, ids);
      log.info({ job: job.id, task: job.name, ...stats }, 'webhooks delivered');
    },

    async 'outbox.drain'(_p: JobPayloads['outbox.drain'], job) {
      const stats = await drain(job);
      if (stats.sent || stats.failed || stats.retried) log.info({ job: job.id, task: job.name, ...stats }, 'outbox delivered');
    },

    async 'import.paths'(p: JobPayloads['import.paths'], job) {
      if (!Array.isArray(p.paths) || p.paths.length === 0 || !p.paths.every((x) => typeof x === 'string')) throw new Error('import.paths: paths must be a non-empty list of file paths');
      const rejected: string[] = [];
      const stats = await importPaths(db, p.paths, { feature: (p.feature ?? 'auto') as FeatureMode, onReject: (r) => rejected.length < 5 && rejected.push(`${r.file}:${r.line}: ${r.reason}`) });
      log.info({ job: job.id, task: job.name, inserted: stats.inserted, updated: stats.updated, featured: stats.featured, rejected: stats.rejected, examples: rejected }, 'import done');
      // Coalesced: ten imports in a row ask for one sync, not ten.
      await deps.queue.enqueue('search.sync', {}, { jobKey: 'search.sync' });
      if (stats.featured) await deps.queue.enqueue('trending.redecay', {}, { jobKey: 'trending.redecay' });
    },

    async 'trending.redecay'(p: JobPayloads['trending.redecay'], job) {
      const r = await trendingTick(db, time(p.now, job, now));
      log.debug({ job: job.id, task: job.name, ...r }, 'trending re-decayed');
    },

    async 'search.sync'(_p: JobPayloads['search.sync'], job) {
      try {
        const n = await syncSearchIndex(db);
        if (n > 0) await flushSearchIndex(db);
        if (n) log.info({ job: job.id, task: job.name, embedded: n }, 'search index synced');
      } catch (err) {
        // A storage the search engine does not support yet, or a provider that is down, would
        // otherwise log the same error every minute: once per process is enough.
        if (!searchWarned) log.error({ err, job: job.id }, 'search sync failed (further failures are logged at debug)');
        else log.debug({ err, job: job.id }, 'search sync failed');
        searchWarned = true;
      }
    },
  };
}

/**
 * The recurring jobs. Scheduled through the queue, so that on PostgreSQL each tick runs once
 * whatever the number of workers. `serve` in inline mode has its own outbox loop and search
 * upkeep (mail/scheduler.ts, cli/search-sync.ts), so it takes only digests and trending.
 */
export function jobSchedules(settings: MailSettings, opts: { outbox?: boolean; search?: boolean } = {}): Schedule[] {
  const out: Schedule[] = [];
  if (settings.digestCron) {
    // Six hours of backfill: workers down at 07:00 and back at 09:00 still send that day's digest.
    out.push({ identifier: 'digest', task: 'digest.send', cron: settings.digestCron, timezone: settings.digestTz, backfillMs: 6 * 3_600_000, coalesce: false, maxAttempts: 10 });
  }
  out.push({ identifier: 'trending', task: 'trending.redecay', cron: '*/15 * * * *', maxAttempts: 1 });
  // The outbox's retries come due at arbitrary times; a minute's lateness is fine for a retry.
  if (opts.outbox) out.push({ identifier: 'outbox', task: 'outbox.drain', cron: '* * * * *', maxAttempts: 1 });
  if (opts.search) out.push({ identifier: 'search', task: 'search.sync', cron: '* * * * *', maxAttempts: 1 });
  return out;
}
