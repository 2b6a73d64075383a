/**
 * The persistent outbox: every email and webhook is a row, rendered before anything is sent, with
 * a unique idempotency key (`digest:<subscriber>:<period>`). Workers claim one row at a time with a
 * conditional UPDATE (`... WHERE id = ? AND status = 'queued'`), so two workers racing never both
 * send a row, and a worker that dies mid-send leaves its row `sending` until it is reclaimed.
 */
import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import os from 'node:os';
import type SQLite from 'better-sqlite3';
import type { Selectable } from 'kysely';
import type { Db } from '../storage/db.ts';
import { mailKysely, type OutboxTable } from '../storage/mail-migrations.ts';

export type OutboxKind = 'digest' | 'confirm' | 'notice' | 'webhook';
export type OutboxStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'suppressed';
export type OutboxRow = Selectable<OutboxTable>;

export interface NewOutboxRow {
  key: string;
  kind: OutboxKind;
  subscriberId?: number | null;
  webhookId?: number | null;
  recipient: string;
  period?: string | null;
  subject: string;
  parts?: number[];
  payload?: unknown;
}

/** Rows per INSERT: 13 columns × 500 stays far below SQLite's 32,766 bound parameters. */
const INSERT_CHUNK = 500;

/** Lets a web request wake the in-process worker as soon as it queues a confirmation. */
export const outboxSignal = new EventEmitter();
export function notifyOutbox(): void {
  outboxSignal.emit('queued');
}

function toRow(r: NewOutboxRow, now: string) {
  return {
    key: r.key,
    kind: r.kind,
    subscriber_id: r.subscriberId ?? null,
    webhook_id: r.webhookId ?? null,
    recipient: r.recipient,
    period: r.period ?? null,
    subject: r.subject,
    parts: JSON.stringify(r.parts ?? []),
    payload: r.payload === undefined ? null : JSON.stringify(r.payload),
    status: 'queued',
    attempts: 0,
    next_attempt_at: now,
    created_at: now,
  };
}

/** Queues rows; a key that already exists is left alone (that is the idempotency). Returns how many were new. */
export async function enqueue(db: Db, rows: NewOutboxRow[], now: Date): Promise<number> {
  const k = mailKysely(db.kysely);
  const iso = now.toISOString();
  let added = 0;
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const res = await k
      .insertInto('outbox')
      .values(rows.slice(i, i + INSERT_CHUNK).map((r) => toRow(r, iso)) as never)
      .onConflict((oc) => oc.column('key').doNothing())
      .executeTakeFirst();
    added += Number(res.numInsertedOrUpdatedRows ?? 0);
  }
  return added;
}

/** Stores a rendered section once (content-addressed) and returns its id. */
export async function storePart(db: Db, part: { html: string; text: string; papers: number }, now: Date): Promise<number> {
  const hash = crypto.createHash('sha256').update(part.html).update('\0').update(part.text).digest('base64url');
  const k = mailKysely(db.kysely);
  await k
    .insertInto('outbox_parts')
    .values({ hash, html: part.html, text: part.text, papers: part.papers, created_at: now.toISOString() } as never)
    .onConflict((oc) => oc.column('hash').doNothing())
    .execute();
  const r = await k.selectFrom('outbox_parts').select('id').where('hash', '=', hash).executeTakeFirstOrThrow();
  return Number(r.id);
}

export async function loadParts(db: Db, ids: number[]): Promise<Map<number, { html: string; text: string; papers: number }>> {
  const out = new Map<number, { html: string; text: string; papers: number }>();
  if (ids.length === 0) return out;
  const rows = await mailKysely(db.kysely).selectFrom('outbox_parts').select(['id', 'html', 'text', 'papers']).where('id', 'in', ids).execute();
  for (const r of rows) out.set(Number(r.id), { html: r.html, text: r.text, papers: Number(r.papers) });
  return out;
}

/** `host:pid:nonce`: the pid lets a restarted worker on the same host see that a claimer died. */
export function newWorkerId(): string {
  return `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;
}

/**
 * The delivery loop runs a claim and a finish per message. On SQLite these two go through cached
 * prepared statements on the raw handle: building, compiling and preparing them through Kysely
 * each time costs ~1 ms per message, more than the SQL itself (as in sqlite-bulk.ts).
 */
interface HotStatements {
  claim: SQLite.Statement;
  finish: SQLite.Statement;
}
const hot = new WeakMap<SQLite.Database, HotStatements>();
function hotStatements(sqlite: SQLite.Database): HotStatements {
  let s = hot.get(sqlite);
  if (!s) {
    s = {
      claim: sqlite.prepare(
        `update outbox set status = 'sending', claimed_by = ?, claimed_at = ?, attempts = attempts + 1
         where id = (select id from outbox where status = 'queued' and next_attempt_at <= ? order by next_attempt_at, id limit 1)
           and status = 'queued' returning *`,
      ),
      finish: sqlite.prepare(`update outbox set status = ?, sent_at = ?, last_error = ?, claimed_by = null where id = ? and claimed_by = ?`),
    };
    hot.set(sqlite, s);
  }
  return s;
}

/**
 * Claims the next due row for `workerId`: one conditional UPDATE picks the earliest due row and
 * re-checks `status = 'queued'`, so of two workers racing for a row exactly one gets it (the other
 * sees no row and tries again). Attempts are counted at claim time, so a message whose sending
 * crashes the process still runs out of attempts instead of crashing it forever.
 */
export async function claimNext(db: Db, workerId: string, now: Date, onlyIds?: number[]): Promise<OutboxRow | null> {
  const k = mailKysely(db.kysely);
  const iso = now.toISOString();
  if (onlyIds && onlyIds.length === 0) return null;
  // One statement on SQLite, which serialises writers: no other worker can interleave.
  if (db.sqlite && !onlyIds) return (hotStatements(db.sqlite).claim.get(workerId, iso, iso) as OutboxRow | undefined) ?? null;
  // PostgreSQL: SKIP LOCKED lets concurrent workers each take a different row without waiting on
  // one another; a row another worker is claiming is simply not offered, so one try is enough.
  const skipLocked = db.dialect === 'postgres';
  for (let round = 0; round < 10; round++) {
    const row = await k
      .updateTable('outbox')
      .set((eb) => ({ status: 'sending', claimed_by: workerId, claimed_at: iso, attempts: eb('attempts', '+', 1) }))
      .where('id', '=', (eb) => {
        let q = eb.selectFrom('outbox as o').select('o.id').where('o.status', '=', 'queued').where('o.next_attempt_at', '<=', iso);
        if (onlyIds) q = q.where('o.id', 'in', onlyIds);
        q = q.orderBy('o.next_attempt_at').orderBy('o.id').limit(1);
        return skipLocked ? q.forUpdate().skipLocked() : q;
      })
      .where('status', '=', 'queued')
      .returningAll()
      .executeTakeFirst();
    if (row || skipLocked) return row ?? null;
    // Nothing claimed: either the queue has nothing due, or another worker won the race.
    let left = k.selectFrom('outbox').select('id').where('status', '=', 'queued').where('next_attempt_at', '<=', iso);
    if (onlyIds) left = left.where('id', 'in', onlyIds);
    if (!(await left.limit(1).executeTakeFirst())) return null;
  }
  return null;
}

/** Finishing touches only apply while this worker still holds the claim. */
export async function finish(db: Db, id: number, workerId: string, outcome: { status: 'sent' | 'failed' | 'suppressed'; error?: string | null }, now: Date): Promise<void> {
  if (db.sqlite) {
    hotStatements(db.sqlite).finish.run(outcome.status, outcome.status === 'sent' ? now.toISOString() : null, outcome.error ?? null, id, workerId);
    return;
  }
  await mailKysely(db.kysely)
    .updateTable('outbox')
    .set({ status: outcome.status, sent_at: outcome.status === 'sent' ? now.toISOString() : null, last_error: outcome.error ?? null, claimed_by: null })
    .where('id', '=', id)
    .where('claimed_by', '=', workerId)
    .execute();
}

export async function retryLater(db: Db, id: number, workerId: string, error: string, at: Date): Promise<void> {
  await mailKysely(db.kysely)
    .updateTable('outbox')
    .set({ status: 'queued', next_attempt_at: at.toISOString(), last_error: error, claimed_by: null, claimed_at: null })
    .where('id', '=', id)
    .where('claimed_by', '=', workerId)
    .execute();
}

/** Queued mail for a subscriber that bounced or unsubscribed is never sent. */
export async function suppressQueued(db: Db, subscriberId: number, error: string): Promise<void> {
  await mailKysely(db.kysely).updateTable('outbox').set({ status: 'suppressed', last_error: error }).where('subscriber_id', '=', subscriberId).where('status', '=', 'queued').execute();
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Puts rows back in the queue whose claimer is gone: on this host when its process no longer
 * exists (a `kill -9` is noticed at the next start), elsewhere once the lease has run out.
 * Whether such a message reached the server is unknowable; resending it is the safe side, and
 * its Message-ID is stable so receiving servers can drop the duplicate.
 */
export async function reclaimStale(db: Db, now: Date, leaseMs: number): Promise<number> {
  const k = mailKysely(db.kysely);
  const claimers = await k.selectFrom('outbox').select('claimed_by').distinct().where('status', '=', 'sending').execute();
  const host = os.hostname();
  const dead = claimers
    .map((c) => c.claimed_by)
    .filter((w): w is string => {
      if (!w) return false;
      const [h, pid] = w.split(':');
      return h === host && Number(pid) !== process.pid && !isAlive(Number(pid));
    });
  const cutoff = new Date(now.getTime() - leaseMs).toISOString();
  const res = await k
    .updateTable('outbox')
    .set({ status: 'queued', claimed_by: null, claimed_at: null })
    .where('status', '=', 'sending')
    .where((eb) => eb.or([eb('claimed_at', '<', cutoff), ...(dead.length ? [eb('claimed_by', 'in', dead)] : []), eb('claimed_by', 'is', null)]))
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** The earliest time a queued row becomes due, or null when the queue is empty. */
export async function nextDue(db: Db): Promise<Date | null> {
  const r = await mailKysely(db.kysely).selectFrom('outbox').select((eb) => eb.fn.min('next_attempt_at').as('t')).where('status', '=', 'queued').executeTakeFirst();
  return r?.t ? new Date(String(r.t)) : null;
}

export async function outboxCounts(db: Db, period?: string): Promise<Record<OutboxStatus, number>> {
  let q = mailKysely(db.kysely).selectFrom('outbox').select(['status', (eb) => eb.fn.countAll<number>().as('n')]);
  if (period) q = q.where('period', '=', period);
  const rows = await q.groupBy('status').execute();
  const out: Record<OutboxStatus, number> = { queued: 0, sending: 0, sent: 0, failed: 0, suppressed: 0 };
  for (const r of rows) out[r.status as OutboxStatus] = Number(r.n);
  return out;
}
