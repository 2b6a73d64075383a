import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { freshDb, paperRecord, seedFeatured } from './support/db.ts';
import { bearerHeaders, browserHeaders } from './support/community.ts';
import { createApp } from '../src/web/app.ts';
import { testConfig } from '../src/config.ts';
import { insertUser } from '../src/storage/users-repo.ts';
import { startTrendingJob, trendingTick } from '../src/services/trending.ts';
import type { Db } from '../src/storage/db.ts';
import type { User } from '../src/domain/user.ts';

const T = new Date('2025-03-12T12:00:00Z');
const H = 3_600_000;
const at = (hoursBeforeT: number) => new Date(T.getTime() - hoursBeforeT * H);
/** The formula, written out independently of src/domain/trending.ts: weight halves every 24 h. */
const w = (ageHours: number) => 2 ** (-ageHours / 24);

const EVIL = '<script>alert("x")</script>';

async function clockApp(t: TestContext) {
  const f = await freshDb();
  t.after(() => f.cleanup());
  let now = T;
  const app = createApp({ db: f.db, config: testConfig({ dataDir: f.dir }), now: () => now });
  return { ...f, app, setNow: (d: Date) => (now = d) };
}

let n = 0;
async function quickUser(db: Db): Promise<User> {
  n++;
  return insertUser(db, { username: `fan${n}`, email: `fan${n}@example.org`, passwordHash: 'x', role: 'user', now: '2025-03-01T00:00:00.000Z' });
}

async function stored(db: Db, id: string): Promise<number> {
  const r = await db.kysely.selectFrom('papers').select('trending_score').where('id', '=', id).executeTakeFirstOrThrow();
  return Number(r.trending_score);
}

function near(actual: number, expected: number, what: string) {
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≠ ${expected}`);
}

/**
 *   A  featured 6 h before T, 3 upvotes 2 h before T
 *   B  featured 24 h before T, a commenter 12 h before T, 1 upvote at T
 *   C  featured 2 h before T, silent (an import: scored by the periodic job)
 *   E  featured 60 h before T, 5 upvotes counted before votes were recorded (no events)
 *   D  featured 20 days before T: outside the 14-day window
 */
async function scenario(t: TestContext) {
  const a = await clockApp(t);
  await seedFeatured(a.db, [
    { record: paperRecord({ id: '2503.00001', title: 'Paper A' }), day: '2025-03-12', featuredAt: at(6).toISOString() },
    { record: paperRecord({ id: '2503.00002', title: 'Paper B' }), day: '2025-03-11', featuredAt: at(24).toISOString() },
    { record: paperRecord({ id: '2503.00003', title: EVIL }), day: '2025-03-12', featuredAt: at(2).toISOString() },
    { record: paperRecord({ id: '2503.00005', title: 'Paper E' }), day: '2025-03-10', featuredAt: at(60).toISOString(), upvotes: 5 },
    { record: paperRecord({ id: '2502.00004', title: 'Paper D' }), day: '2025-02-20', featuredAt: '2025-02-20T00:00:00.000Z', upvotes: 99 },
  ]);
  const users = [await quickUser(a.db), await quickUser(a.db), await quickUser(a.db)];
  a.setNow(at(2));
  for (const u of users) assert.equal((await a.app.request('/api/papers/2503.00001/upvote', { method: 'POST', headers: await bearerHeaders(a.db, u) })).status, 200);
  await a.db.kysely
    .insertInto('comments')
    .values({ paper_id: '2503.00002', user_id: users[1]!.id, parent_id: null, body: 'Nice', created_at: at(12).toISOString(), updated_at: null, deleted_at: null, hidden_at: null })
    .execute();
  a.setNow(T);
  await a.app.request('/api/papers/2503.00002/upvote', { method: 'POST', headers: await bearerHeaders(a.db, users[0]!) });
  await trendingTick(a.db, T);
  return { ...a, users };
}

const expected = {
  A: 3 * w(2) + w(6),
  B: 1 + 0.5 * w(12) + w(24),
  C: w(2),
  E: w(60),
};

test('stored scores at a pinned time equal the formula, term by term', async (t) => {
  const a = await scenario(t);
  near(await stored(a.db, '2503.00001'), expected.A, 'A');
  near(await stored(a.db, '2503.00002'), expected.B, 'B');
  near(await stored(a.db, '2503.00003'), expected.C, 'C (scored by the job)');
  near(await stored(a.db, '2503.00005'), expected.E, 'E');
  assert.equal(Number(expected.A.toFixed(4)), 3.6725);
  assert.equal(Number(expected.B.toFixed(4)), 1.8536);

  // A day later, the re-decay halves every score without reading events.
  await trendingTick(a.db, new Date(T.getTime() + 24 * H));
  near(await stored(a.db, '2503.00001'), expected.A / 2, 'A a day later');
  near(await stored(a.db, '2503.00002'), expected.B / 2, 'B a day later');
});

test('/papers/trending ranks by score (window only) and shows each score; titles are text', async (t) => {
  const a = await scenario(t);
  const res = await a.app.request('/papers/trending');
  assert.equal(res.status, 200);
  const html = await res.text();
  const ids = [...html.matchAll(/<h2 class="card-title"><a href="\/papers\/([^"]+)">/g)].map((m) => m[1]);
  assert.deepEqual(ids, ['2503.00001', '2503.00002', '2503.00003', '2503.00005']);
  const scores = [...html.matchAll(/<span class="rank">#(\d+)<\/span> · score <span class="score">([\d.]+)<\/span>/g)].map((m) => [Number(m[1]), m[2]]);
  assert.deepEqual(scores, [
    [1, '3.67'],
    [2, '1.85'],
    [3, '0.94'],
    [4, '0.18'],
  ]);
  assert.match(html, /Featured Feb 27, 2025 – Mar 12, 2025/);
  assert.match(html, /<section id="how" class="notice how-trending"/);
  assert.doesNotMatch(html, /<script>alert/);
  assert.match(html, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/);
});

test('/api/daily_papers?sort=trending uses the trending score, then upvotes', async (t) => {
  const a = await scenario(t);
  const items = (await (await a.app.request('/api/daily_papers?week=2025-W11&sort=trending')).json()) as any[];
  assert.deepEqual(items.map((i) => i.paper.id), ['2503.00001', '2503.00002', '2503.00003', '2503.00005']);
  // The score decides, not upvotes: E has the most upvotes and ranks last.
  assert.equal(items[3].paper.upvotes, 5);
});

test('"Why it\'s trending": votes in 24 h and 7 d, commenters, age, and each term', async (t) => {
  const a = await scenario(t);
  const { cookie } = await browserHeaders(a.db, a.users[0]!);
  const pageA = await (await a.app.request('/papers/2503.00001', { headers: { cookie } })).text();
  assert.match(pageA, /<h2 id="why-trending-title">Why it&#39;s trending<\/h2>/);
  assert.match(pageA, /<dd>3 in the last 24 h · 3 in the last 7 days · 3 in all<\/dd>/);
  assert.match(pageA, /<dd>0 people commented<\/dd>/);
  assert.match(pageA, /<dd>featured 6 h ago<\/dd>/);
  assert.match(pageA, /Upvotes, each decayed by its age<\/th><td>2.83<\/td>/);
  assert.match(pageA, /Freshness bonus, decayed by the paper&#39;s age<\/th><td>0.84<\/td>/);
  assert.match(pageA, /<tr class="total"><th scope="row">Score<\/th><td>3.67<\/td><\/tr>/);
  assert.match(pageA, /<a href="\/papers\/trending#how">How trending works, and why this formula<\/a>/);

  const pageB = await (await a.app.request('/papers/2503.00002')).text();
  assert.match(pageB, /<dd>1 in the last 24 h · 1 in the last 7 days · 1 in all<\/dd>/);
  assert.match(pageB, /<dd>1 person commented<\/dd>/);
  assert.match(pageB, /<dd>featured 24 h ago<\/dd>/);
  assert.match(pageB, /Upvotes, each decayed by its age<\/th><td>1.00<\/td>/);
  assert.match(pageB, /Commenters × 0.5, decayed<\/th><td>0.35<\/td>/);
  assert.match(pageB, /Freshness bonus, decayed by the paper&#39;s age<\/th><td>0.50<\/td>/);
  assert.match(pageB, /<td>1.85<\/td>/);
  // Six days on, A's votes have left the 24-hour count but not the 7-day one.
  a.setNow(new Date(T.getTime() + 6 * 24 * H));
  const later = await (await a.app.request('/papers/2503.00001')).text();
  assert.match(later, /<dd>0 in the last 24 h · 3 in the last 7 days · 3 in all<\/dd>/);
  assert.match(later, /<dd>featured 6 d 6 h ago<\/dd>/);
});

test('an instance with nothing in the window says so and links to its latest day', async (t) => {
  const a = await clockApp(t);
  await seedFeatured(a.db, [{ record: paperRecord({ id: '2501.00001' }), day: '2025-01-05' }]);
  const html = await (await a.app.request('/papers/trending')).text();
  assert.match(html, /Nothing featured in the last 14 days/);
  assert.match(html, /The latest papers here are from <a href="\/papers\?date=2025-01-05">Jan 5, 2025<\/a>/);
});

test('startTrendingJob schedules the periodic re-decay (croner) and can be stopped', async (t) => {
  const a = await clockApp(t);
  const job = startTrendingJob({ db: a.db, now: () => T });
  try {
    const next = job.nextRun();
    assert.ok(next instanceof Date);
    assert.equal(next.getUTCMinutes() % 15, 0);
  } finally {
    job.stop();
  }
});
