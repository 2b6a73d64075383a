/**
 * Delivers due outbox rows: `concurrency` lanes, each claiming one row at a time, paced to
 * `rate` messages per second across lanes. Outcomes:
 *  - sent: marked at once (the window in which a crash can resend a delivered message is the
 *    few microseconds between the server's 250 and this UPDATE);
 *  - temporary failure (4xx, connection refused, timeout): back in the queue with exponential
 *    backoff, until `maxAttempts`;
 *  - permanent failure (5xx): counted against the address; at `bounceAfter` it is marked bounced
 *    and everything still queued for it is suppressed. Until then it is retried like a temporary one;
 *  - the subscriber unsubscribed or bounced since rendering: suppressed, never sent.
 */
import type { Config } from '../config.ts';
import type { Db } from '../storage/db.ts';
import { disableWebhook, findSubscriber, recordDelivery, recordPermanentFailure, type Subscriber } from '../storage/subscriptions-repo.ts';
import { claimNext, finish, newWorkerId, reclaimStale, retryLater, suppressQueued, type OutboxRow } from './outbox.ts';
import { composeDigest, composeOneOff, PartsCache } from './compose.ts';
import { classifySmtpError, type FailureKind, type MailTransport } from './transport.ts';
import { deliverWebhook, WebhookError } from './webhooks.ts';
import type { MailSettings } from './settings.ts';

export interface SenderDeps {
  db: Db;
  config: Config;
  settings: MailSettings;
  transport: MailTransport;
  /** The clock for due times and backoff (tests move it forward); pacing uses real time. */
  now?: () => Date;
  workerId?: string;
  log?: (msg: string, data?: Record<string, unknown>) => void;
}

export interface DrainStats {
  sent: number;
  retried: number;
  failed: number;
  bounced: number;
  suppressed: number;
}

export interface DrainOptions {
  /** Only these rows (`digest send --to`). */
  onlyIds?: number[];
  signal?: AbortSignal;
  /** Stop after this many claims (benchmarks, tests). */
  maxMessages?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Spaces claims 1/rate seconds apart across all lanes. */
class Pacer {
  private next = 0;
  constructor(private readonly rate: number) {}
  async take(): Promise<void> {
    if (this.rate <= 0) return;
    const now = performance.now();
    const at = Math.max(now, this.next);
    this.next = at + 1000 / this.rate;
    if (at > now) await sleep(at - now);
  }
}

export function backoffMs(settings: MailSettings, attempts: number): number {
  const base = Math.min(settings.retryMaxMs, settings.retryBaseMs * 2 ** Math.max(0, attempts - 1));
  // ±20% jitter, so that a thousand messages refused together do not come back together.
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** Why a row must not be sent any more, or null. */
function suppression(row: OutboxRow, sub: Subscriber | null): string | null {
  if (row.subscriber_id === null) return null;
  if (!sub) return 'subscriber deleted';
  if (sub.status === 'bounced') return 'address bounced';
  if (row.key.startsWith('preview:')) return null;
  if (row.kind === 'digest' && sub.status !== 'confirmed') return `subscriber is ${sub.status}`;
  if (row.kind === 'notice' && sub.status !== 'confirmed') return `subscriber is ${sub.status}`;
  if (row.kind === 'confirm' && sub.status !== 'pending') return `subscriber is ${sub.status}`;
  return null;
}

export async function drainOutbox(deps: SenderDeps, opts: DrainOptions = {}): Promise<DrainStats> {
  const { db, config, settings, transport } = deps;
  const now = deps.now ?? (() => new Date());
  const workerId = deps.workerId ?? newWorkerId();
  const stats: DrainStats = { sent: 0, retried: 0, failed: 0, bounced: 0, suppressed: 0 };
  const parts = new PartsCache(db);
  const pacer = new Pacer(settings.rate);
  let claimed = 0;
  await reclaimStale(db, now(), settings.leaseMs);

  async function fail(row: OutboxRow, sub: Subscriber | null, kind: FailureKind, message: string): Promise<void> {
    const attempts = Number(row.attempts);
    if (kind === 'permanent' && row.kind === 'webhook') {
      if (attempts >= settings.bounceAfter) {
        await finish(db, row.id, workerId, { status: 'failed', error: message }, now());
        if (row.webhook_id !== null) await disableWebhook(db, row.webhook_id, now().toISOString());
        stats.failed++;
        deps.log?.('webhook disabled after permanent failures', { url: row.recipient, error: message });
        return;
      }
    } else if (kind === 'permanent' && sub) {
      if (await recordPermanentFailure(db, sub.id, settings.bounceAfter, now().toISOString())) {
        await finish(db, row.id, workerId, { status: 'failed', error: message }, now());
        await suppressQueued(db, sub.id, 'address bounced');
        stats.bounced++;
        stats.failed++;
        deps.log?.('address bounced: suppressed', { to: row.recipient, error: message });
        return;
      }
    }
    if (attempts >= settings.maxAttempts) {
      await finish(db, row.id, workerId, { status: 'failed', error: message }, now());
      stats.failed++;
      deps.log?.('gave up', { key: row.key, attempts, error: message });
      return;
    }
    await retryLater(db, row.id, workerId, message, new Date(now().getTime() + backoffMs(settings, attempts)));
    stats.retried++;
  }

  async function deliver(row: OutboxRow): Promise<void> {
    if (row.kind === 'webhook') {
      try {
        await deliverWebhook(row.recipient, JSON.parse(row.payload ?? '{}'), { timeoutMs: settings.webhookTimeoutMs, allowPrivate: settings.webhookAllowPrivate, userAgent: `${config.siteName} webhook (+${config.baseUrl})` });
      } catch (err) {
        return fail(row, null, err instanceof WebhookError ? err.kind : 'temporary', (err as Error).message);
      }
      await finish(db, row.id, workerId, { status: 'sent' }, now());
      stats.sent++;
      return;
    }
    const sub = row.subscriber_id === null ? null : await findSubscriber(db, Number(row.subscriber_id));
    const why = suppression(row, sub);
    if (why) {
      await finish(db, row.id, workerId, { status: 'suppressed', error: why }, now());
      stats.suppressed++;
      return;
    }
    try {
      const mail = row.kind === 'digest' ? await composeDigest(config, row, sub, parts) : composeOneOff(config, row);
      await transport.send(mail);
    } catch (err) {
      const e = err as { message?: string; responseCode?: number; code?: string };
      return fail(row, sub, classifySmtpError(err), [e.code, e.responseCode, e.message].filter(Boolean).join(' ').slice(0, 500));
    }
    await finish(db, row.id, workerId, { status: 'sent' }, now());
    if (sub && sub.bounceCount > 0) await recordDelivery(db, sub.id);
    stats.sent++;
  }

  async function lane(): Promise<void> {
    while (!opts.signal?.aborted) {
      if (opts.maxMessages !== undefined && claimed >= opts.maxMessages) return;
      await pacer.take();
      const row = await claimNext(db, workerId, now(), opts.onlyIds);
      if (!row) return;
      claimed++;
      await deliver(row);
    }
  }

  await Promise.all(Array.from({ length: Math.max(1, settings.concurrency) }, lane));
  return stats;
}
