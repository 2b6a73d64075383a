/** `dailypapers db copy`: a populated SQLite instance round-trips into another database intact. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openDatabase, type Db } from '../src/storage/db.ts';
import { insertUser } from '../src/storage/users-repo.ts';
import { mailKysely } from '../src/storage/mail-migrations.ts';
import { createApiToken, createSession } from '../src/services/auth.ts';
import { configureSearch, searchPapers } from '../src/search/index.ts';
import { paperRecord, seedFeatured } from './support/db.ts';
import { runCli } from './support/cli.ts';
import { createPgDatabase, TEST_PG_URL } from './support/pg.ts';

const TABLES = ['papers', 'daily_entries', 'settings', 'users', 'sessions', 'api_tokens', 'votes', 'comments', 'comment_votes', 'rate_limits', 'subscribers', 'webhooks', 'digest_runs', 'outbox_parts', 'outbox'];
const KEYS: Record<string, string> = { votes: 'user_id, paper_id', comment_votes: 'user_id, comment_id', sessions: 'id_hash', settings: 'key', rate_limits: 'key', digest_runs: 'period' };
const QUERIES = ['video generation', 'cache compression', 'retrieval augmented', 'speculative decoding inference', 'graph neural networks', '"human feedback"', 'inference -speculative'];
const TOPICS = ['diffusion models for video generation', 'KV cache compression for long context inference', 'retrieval augmented generation', 'speculative decoding for fast inference', 'graph neural networks', 'reinforcement learning from human feedback'];
const T = '2025-03-01T00:00:00.000Z';

function tmpDir(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-copy-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Every application table gets rows, with a deleted user (an id gap) and a reply (a self-reference). */
async function populate(file: string): Promise<void> {
  const db = await openDatabase(file);
  try {
    await seedFeatured(db, Array.from({ length: 90 }, (_, i) => ({
      record: paperRecord({
        title: `${TOPICS[i % TOPICS.length]} ${i % 7 === 0 ? 'at scale' : 'revisited'} #${i}`,
        abstract: `We study ${TOPICS[i % TOPICS.length]} and ${TOPICS[(i * 5 + 1) % TOPICS.length]}. Variant ${i} with ${'benchmark '.repeat(i % 4)}results.`,
      }),
      day: `2025-03-${String(1 + (i % 10)).padStart(2, '0')}`,
      upvotes: i % 5,
    })));
    const users = [];
    for (let i = 0; i < 4; i++) users.push(await insertUser(db, { username: `copy${i}`, email: `copy${i}@example.org`, passwordHash: `hash${i}`, role: i === 0 ? 'admin' : 'user', now: T }));
    // Removing the newest user leaves AUTOINCREMENT's high-water mark above max(id).
    await db.kysely.deleteFrom('users').where('id', '=', users[3].id).execute();
    const papers = (await db.kysely.selectFrom('papers').select('id').orderBy('id').execute()).map((p) => p.id);
    await createSession(db, users[0].id, new Date(T));
    await createApiToken(db, users[1].id, 'ci', new Date(T));
    for (const [u, p] of [[0, 0], [0, 1], [1, 1], [2, 5]]) await db.kysely.insertInto('votes').values({ user_id: users[u].id, paper_id: papers[p], created_at: T }).execute();
    const c1 = await db.kysely.insertInto('comments').values({ paper_id: papers[1], user_id: users[0].id, parent_id: null, body: 'first', created_at: T, score: 1.25 }).returning('id').executeTakeFirstOrThrow();
    await db.kysely.insertInto('comments').values({ paper_id: papers[1], user_id: users[1].id, parent_id: c1.id, body: 'a reply', created_at: T, updated_at: T }).execute();
    await db.kysely.insertInto('comment_votes').values({ user_id: users[2].id, comment_id: c1.id, value: 1, created_at: T }).execute();
    await db.kysely.insertInto('rate_limits').values({ key: 'comment:1', window_start: 1740787200, count: 3 }).execute();
    await db.kysely.insertInto('settings').values({ key: 'site.banner', value: 'hello' }).execute();
    const mk = mailKysely(db.kysely);
    const sub = await mk.insertInto('subscribers').values({ email: 'reader@example.org', frequency: 'daily', topics: '["cache"]', status: 'confirmed', created_at: T, updated_at: T, confirmed_at: T, unsubscribed_at: null, bounced_at: null, notice_sent_at: null, bounce_count: 0, user_id: users[1].id } as never).returning('id').executeTakeFirstOrThrow();
    const hook = await mk.insertInto('webhooks').values({ subscriber_id: sub.id, topic: 'cache', url: 'https://hooks.example.org/x', kind: 'json', created_at: T, disabled_at: null } as never).returning('id').executeTakeFirstOrThrow();
    await mk.insertInto('digest_runs').values({ period: 'daily:2025-03-01', frequency: 'daily', started_at: T, rendered_at: T, prev_entry_id: 0, max_entry_id: 90, since_day: '2025-02-28', topics_since: T, queued: 1 }).execute();
    const part = await mk.insertInto('outbox_parts').values({ hash: 'abc', html: '<p>x</p>', text: 'x', papers: 3, created_at: T } as never).returning('id').executeTakeFirstOrThrow();
    await mk.insertInto('outbox').values({ key: 'digest:1', kind: 'digest', subscriber_id: sub.id, webhook_id: null, recipient: 'reader@example.org', period: 'daily:2025-03-01', subject: 'Daily', parts: JSON.stringify([part.id]), payload: null, status: 'sent', attempts: 1, next_attempt_at: T, claimed_by: null, claimed_at: null, last_error: null, sent_at: T, created_at: T } as never).execute();
    await mk.insertInto('outbox').values({ key: 'hook:1', kind: 'webhook', subscriber_id: sub.id, webhook_id: hook.id, recipient: 'https://hooks.example.org/x', period: null, subject: 'alert', parts: '[]', payload: '{}', status: 'queued', attempts: 0, next_attempt_at: T, claimed_by: null, claimed_at: null, last_error: null, sent_at: null, created_at: T } as never).execute();
  } finally {
    await db.close();
  }
}

async function dump(db: Db, table: string): Promise<Record<string, unknown>[]> {
  return (await sql.raw<Record<string, unknown>>(`SELECT * FROM ${table} ORDER BY ${KEYS[table] ?? 'id'}`).execute(db.kysely)).rows;
}

async function assertSameData(source: Db, target: Db): Promise<void> {
  for (const table of TABLES) {
    const [a, b] = [await dump(source, table), await dump(target, table)];
    assert.ok(a.length > 0, `the fixture must populate ${table}`);
    assert.equal(b.length, a.length, `${table}: row count`);
    // Every row of the small tables; a sample of papers (every 7th) is enough to catch column mix-ups.
    const pick = (rows: Record<string, unknown>[]) => (table === 'papers' ? rows.filter((_, i) => i % 7 === 0) : rows);
    assert.deepEqual(pick(b), pick(a), `${table}: rows`);
  }
}

async function topResults(db: Db): Promise<string[][]> {
  await configureSearch(db, { provider: null });
  const out: string[][] = [];
  for (const q of QUERIES) out.push((await searchPapers(db, { q, mode: 'keyword', limit: 10, facets: false, snippets: false })).hits.map((h) => h.paperId));
  return out;
}

function assertCountTable(stdout: string): void {
  for (const table of TABLES) assert.match(stdout, new RegExp(`^${table}\\s+[\\d,]+\\s+[\\d,]+$`, 'm'), `${table} in the verification table`);
  assert.match(stdout, /verified: \d+ tables, [\d,]+ rows, counts identical/);
}

test('db copy: SQLite to SQLite keeps every row, id and search result; refuses a non-empty target', async (t) => {
  const dir = tmpDir(t);
  const from = path.join(dir, 'source.sqlite');
  const to = path.join(dir, 'target.sqlite');
  await populate(from);

  const dry = await runCli(['db', 'copy', '--from', from, '--to', to, '--dry-run']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /^papers\s+90 rows/m);

  const r = await runCli(['db', 'copy', '--from', from, '--to', to, '--no-vectors']);
  assert.equal(r.code, 0, r.stderr);
  assertCountTable(r.stdout);
  assert.match(r.stdout, /search index rebuilt: 90 papers/);

  const source = await openDatabase(from, { migrate: false, readonly: true });
  const target = await openDatabase(to);
  t.after(async () => {
    await source.close();
    await target.close();
  });
  await assertSameData(source, target);
  const want = await topResults(source);
  assert.ok(want.every((hits) => hits.length > 0), `every fixed query finds something: ${JSON.stringify(want)}`);
  assert.deepEqual(await topResults(target), want);

  // The deleted user's id is not handed out again.
  const maxUser = Math.max(...(await dump(source, 'users')).map((u) => Number(u.id)));
  const fresh = await insertUser(target, { username: 'newcomer', email: 'new@example.org', passwordHash: 'x', role: 'user', now: T });
  assert.equal(fresh.id, maxUser + 2);

  const again = await runCli(['db', 'copy', '--from', from, '--to', to]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already holds data \(in .*users.*\).*\n.*--truncate/);

  const truncated = await runCli(['db', 'copy', '--from', from, '--to', to, '--truncate', '--no-index']);
  assert.equal(truncated.code, 0, truncated.stderr);
  assert.equal((await dump(target, 'users')).length, 3, 'the newcomer is gone: the target is an exact copy again');
});

test('db copy: usage errors name what is wrong', async () => {
  const noTo = await runCli(['db', 'copy', '--from', 'x.sqlite']);
  assert.equal(noTo.code, 2);
  assert.match(noTo.stderr, /needs both --from <db> and --to <db>/);
  const missing = await runCli(['db', 'copy', '--from', '/nonexistent/dir/a.sqlite', '--to', '/tmp/b.sqlite']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--from: no SQLite database at \/nonexistent\/dir\/a\.sqlite/);
  const same = await runCli(['db', 'copy', '--from', 'package.json', '--to', './package.json']);
  assert.equal(same.code, 2);
  assert.match(same.stderr, /name the same database/);
  const help = await runCli(['db', 'copy', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--truncate/);
});

test('db copy: SQLite to PostgreSQL round-trips with identical counts, rows, fresh ids and search results', { skip: !TEST_PG_URL && 'needs TEST_DATABASE_URL (a PostgreSQL cluster)' }, async (t) => {
  const dir = tmpDir(t);
  const from = path.join(dir, 'source.sqlite');
  await populate(from);
  const pg = await createPgDatabase('dp_copy');
  t.after(() => pg.drop());

  const r = await runCli(['db', 'copy', '--from', from, '--to', pg.url]);
  assert.equal(r.code, 0, r.stderr);
  assertCountTable(r.stdout);

  const source = await openDatabase(from, { migrate: false, readonly: true });
  const target = await openDatabase(pg.url);
  t.after(async () => {
    await source.close();
    await target.close();
  });
  await assertSameData(source, target);
  // The default rebuild: keyword statistics and, on PostgreSQL, vectors stored in the database.
  assert.match(r.stdout, /search index rebuilt: 90 papers, 90 embedded/);
  assert.deepEqual(await topResults(target), await topResults(source), 'keyword search: same top 10 on PostgreSQL as on SQLite');

  // Identity sequences moved past the copied ids (and past the deleted user's).
  const maxUser = Math.max(...(await dump(source, 'users')).map((u) => Number(u.id)));
  const fresh = await insertUser(target, { username: 'newcomer', email: 'new@example.org', passwordHash: 'x', role: 'user', now: T });
  assert.equal(fresh.id, maxUser + 2);
  await seedFeatured(target, [{ record: paperRecord({ title: 'Featured after the move' }), day: '2025-03-20' }]);
  const newest = await target.kysely.selectFrom('daily_entries').select('id').where('day', '=', '2025-03-20').executeTakeFirstOrThrow();
  assert.equal(Number(newest.id), 91);

  const again = await runCli(['db', 'copy', '--from', from, '--to', pg.url]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already holds data/);

});
