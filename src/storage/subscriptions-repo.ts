/** Subscribers and topic webhooks: plain queries; the rules live in services/subscriptions.ts. */
import type { Selectable } from 'kysely';
import type { Db } from './db.ts';
import { mailKysely, type SubscribersTable, type WebhooksTable } from './mail-migrations.ts';

export type Frequency = 'daily' | 'weekly';
export type SubscriberStatus = 'pending' | 'confirmed' | 'unsubscribed' | 'bounced';

export interface Subscriber {
  id: number;
  email: string;
  frequency: Frequency;
  topics: string[];
  status: SubscriberStatus;
  createdAt: string;
  confirmedAt: string | null;
  noticeSentAt: string | null;
  bounceCount: number;
  userId: number | null;
}

export interface Webhook {
  id: number;
  subscriberId: number | null;
  topic: string;
  url: string;
  kind: 'slack' | 'discord' | 'json';
  createdAt: string;
  disabledAt: string | null;
}

export function rowToSubscriber(r: Selectable<SubscribersTable>): Subscriber {
  return {
    id: Number(r.id),
    email: r.email,
    frequency: r.frequency as Frequency,
    topics: JSON.parse(r.topics),
    status: r.status as SubscriberStatus,
    createdAt: r.created_at,
    confirmedAt: r.confirmed_at,
    noticeSentAt: r.notice_sent_at,
    bounceCount: Number(r.bounce_count),
    userId: r.user_id === null ? null : Number(r.user_id),
  };
}

function rowToWebhook(r: Selectable<WebhooksTable>): Webhook {
  return { id: Number(r.id), subscriberId: r.subscriber_id === null ? null : Number(r.subscriber_id), topic: r.topic, url: r.url, kind: r.kind as Webhook['kind'], createdAt: r.created_at, disabledAt: r.disabled_at };
}

export async function findSubscriberByEmail(db: Db, email: string): Promise<Subscriber | null> {
  const r = await mailKysely(db.kysely).selectFrom('subscribers').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
  return r ? rowToSubscriber(r) : null;
}

export async function findSubscriber(db: Db, id: number): Promise<Subscriber | null> {
  const r = await mailKysely(db.kysely).selectFrom('subscribers').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? rowToSubscriber(r) : null;
}

export async function findSubscriberByUser(db: Db, userId: number): Promise<Subscriber | null> {
  const r = await mailKysely(db.kysely).selectFrom('subscribers').selectAll().where('user_id', '=', userId).orderBy('id').executeTakeFirst();
  return r ? rowToSubscriber(r) : null;
}

/** Inserts a pending subscriber, or returns the existing row for the address (unique email). */
export async function insertPendingSubscriber(db: Db, s: { email: string; frequency: Frequency; topics: string[]; now: string }): Promise<Subscriber> {
  const k = mailKysely(db.kysely);
  await k
    .insertInto('subscribers')
    .values({ email: s.email.toLowerCase(), frequency: s.frequency, topics: JSON.stringify(s.topics), status: 'pending', created_at: s.now, updated_at: s.now, bounce_count: 0 } as never)
    .onConflict((oc) => oc.column('email').doNothing())
    .execute();
  return (await findSubscriberByEmail(db, s.email))!;
}

export async function updatePreferences(db: Db, id: number, prefs: { frequency?: Frequency; topics?: string[]; status?: SubscriberStatus }, now: string): Promise<void> {
  const set: Record<string, unknown> = { updated_at: now };
  if (prefs.frequency) set.frequency = prefs.frequency;
  if (prefs.topics) set.topics = JSON.stringify(prefs.topics);
  if (prefs.status) {
    set.status = prefs.status;
    if (prefs.status === 'unsubscribed') set.unsubscribed_at = now;
    if (prefs.status === 'confirmed') Object.assign(set, { unsubscribed_at: null, bounced_at: null, bounce_count: 0 });
  }
  await mailKysely(db.kysely).updateTable('subscribers').set(set).where('id', '=', id).execute();
}

/**
 * Claims the right to email this subscriber a confirmation or notice: true at most once per
 * `minGapMs`, atomically (two requests racing cannot both win).
 */
export async function claimNoticeSlot(db: Db, id: number, now: Date, minGapMs: number): Promise<boolean> {
  const cutoff = new Date(now.getTime() - minGapMs).toISOString();
  const res = await mailKysely(db.kysely)
    .updateTable('subscribers')
    .set({ notice_sent_at: now.toISOString() })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('notice_sent_at', 'is', null), eb('notice_sent_at', '<=', cutoff)]))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** pending/unsubscribed → confirmed; a bounced address stays suppressed. Returns the new row. */
export async function confirmSubscriber(db: Db, id: number, now: string, userId: number | null): Promise<Subscriber | null> {
  const k = mailKysely(db.kysely);
  await k
    .updateTable('subscribers')
    .set((eb) => ({
      status: 'confirmed',
      confirmed_at: eb.fn.coalesce('confirmed_at', eb.val(now)),
      unsubscribed_at: null,
      updated_at: now,
      user_id: userId === null ? eb.ref('user_id') : eb.val(userId),
    }))
    .where('id', '=', id)
    .where('status', '!=', 'bounced')
    .execute();
  return findSubscriber(db, id);
}

export async function linkUser(db: Db, id: number, userId: number): Promise<void> {
  await mailKysely(db.kysely).updateTable('subscribers').set({ user_id: userId }).where('id', '=', id).execute();
}

/** A successful delivery resets the count of permanent failures. */
export async function recordDelivery(db: Db, id: number): Promise<void> {
  await mailKysely(db.kysely).updateTable('subscribers').set({ bounce_count: 0 }).where('id', '=', id).where('bounce_count', '>', 0).execute();
}

/** Counts a permanent failure; at `limit` the address is marked bounced. Returns true if it bounced. */
export async function recordPermanentFailure(db: Db, id: number, limit: number, now: string): Promise<boolean> {
  const k = mailKysely(db.kysely);
  await k.updateTable('subscribers').set((eb) => ({ bounce_count: eb('bounce_count', '+', 1) })).where('id', '=', id).execute();
  const res = await k
    .updateTable('subscribers')
    .set({ status: 'bounced', bounced_at: now, updated_at: now })
    .where('id', '=', id)
    .where('bounce_count', '>=', limit)
    .where('status', '!=', 'bounced')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** One page of a frequency's confirmed subscribers, by id (the render pass walks them all). */
export async function confirmedSubscribersPage(db: Db, frequency: Frequency, afterId: number, limit: number): Promise<Subscriber[]> {
  const rows = await mailKysely(db.kysely)
    .selectFrom('subscribers')
    .selectAll()
    .where('status', '=', 'confirmed')
    .where('frequency', '=', frequency)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(rowToSubscriber);
}

export async function subscriberCounts(db: Db): Promise<Record<string, number>> {
  const rows = await mailKysely(db.kysely).selectFrom('subscribers').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

export async function insertWebhook(db: Db, w: { subscriberId: number | null; topic: string; url: string; kind: Webhook['kind']; now: string }): Promise<number> {
  const r = await mailKysely(db.kysely)
    .insertInto('webhooks')
    .values({ subscriber_id: w.subscriberId, topic: w.topic, url: w.url, kind: w.kind, created_at: w.now } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}

export async function listWebhooks(db: Db, opts: { subscriberId?: number; activeOnly?: boolean } = {}): Promise<Webhook[]> {
  let q = mailKysely(db.kysely).selectFrom('webhooks').selectAll();
  if (opts.subscriberId !== undefined) q = q.where('subscriber_id', '=', opts.subscriberId);
  if (opts.activeOnly) q = q.where('disabled_at', 'is', null);
  return (await q.orderBy('id').execute()).map(rowToWebhook);
}

/** Removes a webhook; with `subscriberId`, only if it belongs to that subscriber. */
export async function deleteWebhook(db: Db, id: number, subscriberId?: number): Promise<boolean> {
  let q = mailKysely(db.kysely).deleteFrom('webhooks').where('id', '=', id);
  if (subscriberId !== undefined) q = q.where('subscriber_id', '=', subscriberId);
  return Number((await q.executeTakeFirst()).numDeletedRows) === 1;
}

export async function disableWebhook(db: Db, id: number, now: string): Promise<void> {
  await mailKysely(db.kysely).updateTable('webhooks').set({ disabled_at: now }).where('id', '=', id).execute();
}
