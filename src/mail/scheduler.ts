/**
 * Mail inside `npm start`: a croner job renders the daily digest at DIGEST_CRON in DIGEST_TZ (and
 * the weekly one on DIGEST_WEEKLY_DAY), and an outbox worker delivers whatever is due: digests,
 * confirmations (woken at once by `notifyOutbox`), retries when their backoff ends. Running
 * `dailypapers digest send` at the same time is safe: workers claim rows atomically.
 */
import { Cron } from 'croner';
import type { Config } from '../config.ts';
import type { Db } from '../storage/db.ts';
import { preparePeriod } from './digest.ts';
import { drainOutbox } from './sender.ts';
import { newWorkerId, nextDue, outboxSignal } from './outbox.ts';
import { createMailTransport, type MailTransport } from './transport.ts';
import { isWeekend, localWeekday } from './periods.ts';
import type { MailSettings } from './settings.ts';

export interface MailServiceDeps {
  db: Db;
  config: Config;
  settings: MailSettings;
  transport?: MailTransport;
  now?: () => Date;
  log: { info: (o: object, msg: string) => void; warn: (o: object, msg: string) => void; error: (o: object, msg: string) => void };
}

export interface MailService {
  /** The pending scheduled run, if the digest is scheduled. */
  nextRun(): Date | null;
  /** Renders today's period(s) now, as the schedule would. */
  runDigests(): Promise<void>;
  stop(): Promise<void>;
}

/** Polling is only a safety net (another process may queue rows); local queues wake the worker. */
const POLL_MS = 30_000;

/**
 * What a scheduled digest run renders at `t`: the daily period (unless a skipped weekend) and, on
 * DIGEST_WEEKLY_DAY, the weekly one. Shared by `serve`'s schedule and the `digest.send` job.
 */
export async function renderScheduledDigests(deps: Pick<MailServiceDeps, 'db' | 'config' | 'settings' | 'log'>, t: Date): Promise<{ periods: string[]; queued: number }> {
  const { db, config, settings, log } = deps;
  const frequencies: ('daily' | 'weekly')[] = [];
  if (!(settings.skipWeekends && isWeekend(t, settings.digestTz))) frequencies.push('daily');
  if (localWeekday(t, settings.digestTz) === settings.weeklyDay) frequencies.push('weekly');
  const out = { periods: [] as string[], queued: 0 };
  for (const f of frequencies) {
    const { run, rendered } = await preparePeriod(db, config, settings, f, t);
    log.info({ period: run.period, queued: rendered?.queued ?? 0, nothingNew: rendered?.nothingNew ?? 0, webhooks: rendered?.webhooks ?? 0 }, 'digest rendered');
    out.periods.push(run.period);
    out.queued += rendered?.queued ?? 0;
  }
  return out;
}

export function startMailService(deps: MailServiceDeps): MailService {
  const { db, config, settings, log } = deps;
  const now = deps.now ?? (() => new Date());
  const transport = deps.transport ?? createMailTransport(config, { concurrency: settings.concurrency });
  const workerId = newWorkerId();
  const abort = new AbortController();
  let draining: Promise<void> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | null = null;

  const schedule = async () => {
    if (abort.signal.aborted) return;
    const due = await nextDue(db).catch(() => null);
    const wait = due ? Math.max(250, Math.min(POLL_MS, due.getTime() - now().getTime())) : POLL_MS;
    if (timer) clearTimeout(timer);
    timer = setTimeout(kick, wait);
    timer.unref();
  };

  function kick(): void {
    if (abort.signal.aborted) return;
    if (draining) {
      again = true;
      return;
    }
    draining = (async () => {
      do {
        again = false;
        const stats = await drainOutbox({ db, config, settings, transport, now, workerId, log: (msg, data) => log.warn(data ?? {}, msg) }, { signal: abort.signal });
        if (stats.sent || stats.failed || stats.retried) log.info({ ...stats }, 'outbox delivered');
      } while (again && !abort.signal.aborted);
    })()
      .catch((err) => log.error({ err }, 'outbox worker failed'))
      .finally(() => {
        draining = null;
        void schedule();
      });
  }

  async function runDigests(): Promise<void> {
    await renderScheduledDigests({ db, config, settings, log }, now());
    kick();
  }

  const job = settings.digestCron
    ? new Cron(settings.digestCron, { timezone: settings.digestTz, protect: true, catch: (err) => log.error({ err }, 'digest run failed') }, runDigests)
    : null;
  const onQueued = () => kick();
  outboxSignal.on('queued', onQueued);
  kick();
  log.info({ transport: transport.description, digest: settings.digestCron ? `${settings.digestCron} ${settings.digestTz}` : 'off', next: job?.nextRun()?.toISOString() ?? null }, 'mail service started');

  return {
    nextRun: () => job?.nextRun() ?? null,
    runDigests,
    async stop() {
      abort.abort();
      job?.stop();
      if (timer) clearTimeout(timer);
      outboxSignal.off('queued', onQueued);
      await draining;
      transport.close();
    },
  };
}
