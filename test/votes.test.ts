import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { paperRecord, seedFeatured, testApp } from './support/db.ts';
import { anonymousForm, bearerHeaders, browserHeaders, formBody } from './support/community.ts';
import { insertUser, setBanned } from '../src/storage/users-repo.ts';
import type { Db } from '../src/storage/db.ts';
import type { Role, User } from '../src/domain/user.ts';

type App = Awaited<ReturnType<typeof testApp>>;
const FORM = 'application/x-www-form-urlencoded';
const ID = '2503.00001';
const NOW = new Date('2025-03-12T12:00:00Z');

async function appFor(t: TestContext): Promise<App> {
  const a = await testApp({}, NOW);
  t.after(() => a.cleanup());
  await seedFeatured(a.db, [
    { record: paperRecord({ id: ID, title: 'Voted paper' }), day: '2025-03-12' },
    { record: paperRecord({ id: '2503.00002', title: 'Other paper' }), day: '2025-03-12' },
  ]);
  return a;
}

let n = 0;
/** A user without the argon2 cost (these tests never log in with a password). */
async function quickUser(db: Db, role: Role = 'user'): Promise<User> {
  n++;
  return insertUser(db, { username: `voter${n}`, email: `voter${n}@example.org`, passwordHash: 'x', role, now: '2025-03-01T00:00:00.000Z' });
}

async function upvotes(db: Db, id = ID): Promise<number> {
  const r = await db.kysely.selectFrom('papers').select('upvotes').where('id', '=', id).executeTakeFirstOrThrow();
  return Number(r.upvotes);
}

async function voteRows(db: Db, id = ID): Promise<number> {
  const r = await db.kysely.selectFrom('votes').select((eb) => eb.fn.countAll<number>().as('n')).where('paper_id', '=', id).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** A no-JS form post from a signed-in browser (session cookie + `_csrf` field, no CSRF header). */
async function formPost(a: App, user: User, path: string, fields: Record<string, string> = {}, extra: Record<string, string> = {}) {
  const { cookie } = await browserHeaders(a.db, user);
  return a.app.request(path, { method: 'POST', headers: { cookie, 'content-type': FORM, ...extra }, body: formBody(fields) });
}

test('without JavaScript: the form toggles the vote and redirects (303) back to the same-site page, on the card', async (t) => {
  const a = await appFor(t);
  const u = await quickUser(a.db);
  const referer = 'http://localhost:3000/papers?date=2025-03-12';
  const r1 = await formPost(a, u, `/papers/${ID}/upvote`, {}, { referer });
  assert.equal(r1.status, 303);
  assert.equal(r1.headers.get('location'), `/papers?date=2025-03-12#paper-${ID}`);
  assert.equal(await upvotes(a.db), 1);

  // The feed now shows the pressed state for this user, with the form and the script.
  const { cookie } = await browserHeaders(a.db, u);
  const feedRes = await a.app.request('/papers?date=2025-03-12', { headers: { cookie } });
  // The page names this viewer's votes and carries their CSRF token: never for shared caches.
  assert.doesNotMatch(feedRes.headers.get('cache-control') ?? '', /public/);
  const feed = await feedRes.text();
  const form = new RegExp(`<form class="upvote" method="post" action="/papers/${ID}/upvote"><input type="hidden" name="_csrf" value="[^"]+"/><input type="hidden" name="vote" value="down"/><button type="submit" class="vote" aria-pressed="true"[^>]*><span aria-hidden="true">▲</span><span class="n">1</span>`);
  assert.match(feed, form);
  assert.match(feed, /action="\/papers\/2503.00002\/upvote"><input type="hidden" name="_csrf" value="[^"]+"\/><input type="hidden" name="vote" value="up"\/><button type="submit" class="vote" aria-pressed="false"/);
  assert.match(feed, /<li id="paper-2503.00001">/);
  assert.match(feed, /<script>\(function\(\)\{if\(window.dpUpvote\)return;/);
  // Paper page too.
  const page = await (await a.app.request(`/papers/${ID}`, { headers: { cookie } })).text();
  assert.match(page, /<button type="submit" class="vote" aria-pressed="true"/);

  // Clicking again (toggle, no `vote` field) removes it; from another site, back to the paper page.
  const r2 = await formPost(a, u, `/papers/${ID}/upvote`, {}, { referer: 'https://evil.example/x' });
  assert.equal(r2.status, 303);
  assert.equal(r2.headers.get('location'), `/papers/${ID}`);
  assert.equal(await upvotes(a.db), 0);

  // A protocol-relative Referer path cannot become an open redirect.
  const r3 = await formPost(a, u, `/papers/${ID}/upvote`, { vote: 'up' }, { referer: 'http://localhost:3000//evil.example/' });
  assert.equal(r3.headers.get('location'), `/papers/${ID}`);
});

test('the form states the wanted vote: a stale page posting `up` twice keeps one vote', async (t) => {
  const a = await appFor(t);
  const u = await quickUser(a.db);
  for (let i = 0; i < 2; i++) assert.equal((await formPost(a, u, `/papers/${ID}/upvote`, { vote: 'up' })).status, 303);
  assert.equal(await upvotes(a.db), 1);
  await formPost(a, u, `/papers/${ID}/upvote`, { vote: 'down' });
  await formPost(a, u, `/papers/${ID}/upvote`, { vote: 'down' });
  assert.equal(await upvotes(a.db), 0);
});

test('with JavaScript: the same form sent by fetch (X-CSRF-Token, Accept: application/json) answers JSON', async (t) => {
  const a = await appFor(t);
  const u = await quickUser(a.db);
  const h = await browserHeaders(a.db, u);
  const res = await a.app.request(`/papers/${ID}/upvote`, { method: 'POST', headers: { ...h, accept: 'application/json', 'content-type': FORM }, body: 'vote=up' });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { upvoted: true, upvotes: 1 });
});

test('API: POST and DELETE /api/papers/<id>/upvote with a Bearer token (no CSRF) or a session + CSRF header', async (t) => {
  const a = await appFor(t);
  const u1 = await quickUser(a.db);
  const u2 = await quickUser(a.db);
  const bearer = await bearerHeaders(a.db, u1);
  const post = await a.app.request(`/api/papers/${ID}/upvote`, { method: 'POST', headers: bearer });
  assert.equal(post.status, 200);
  assert.deepEqual(await post.json(), { upvoted: true, upvotes: 1 });
  // Idempotent: POST again keeps one vote.
  assert.deepEqual(await (await a.app.request(`/api/papers/${ID}/upvote`, { method: 'POST', headers: bearer })).json(), { upvoted: true, upvotes: 1 });
  const session = await browserHeaders(a.db, u2);
  assert.deepEqual(await (await a.app.request(`/api/papers/${ID}v2/upvote`, { method: 'POST', headers: session })).json(), { upvoted: true, upvotes: 2 });
  const del = await a.app.request(`/api/papers/${ID}/upvote`, { method: 'DELETE', headers: bearer });
  assert.deepEqual(await del.json(), { upvoted: false, upvotes: 1 });
  assert.deepEqual(await (await a.app.request(`/api/papers/${ID}/upvote`, { method: 'DELETE', headers: bearer })).json(), { upvoted: false, upvotes: 1 });
  assert.equal((await (await a.app.request(`/api/papers/${ID}`)).json()).upvotes, 1);
  // Unknown paper: 404 problem.
  const missing = await a.app.request('/api/papers/2503.09999/upvote', { method: 'POST', headers: bearer });
  assert.equal(missing.status, 404);
  assert.match((await missing.json()).detail, /No paper 2503.09999/);
});

test('50 users voting at once give exactly 50; 50 concurrent un-votes give 0', async (t) => {
  const a = await appFor(t);
  const users = await Promise.all(Array.from({ length: 50 }, () => quickUser(a.db)));
  // Half vote through the API with tokens, half through the form with sessions + CSRF.
  const headers = await Promise.all(users.map((u, i) => (i % 2 ? bearerHeaders(a.db, u) : browserHeaders(a.db, u))));
  const up = await Promise.all(
    headers.map(async (h) => {
      const r = await a.app.request(`/api/papers/${ID}/upvote`, { method: 'POST', headers: h });
      return { status: r.status, body: (await r.json()) as { upvoted: boolean; upvotes: number } };
    }),
  );
  assert.deepEqual(up.map((r) => r.status), Array(50).fill(200));
  assert.deepEqual([...new Set(up.map((r) => r.body.upvoted))], [true]);
  // Every response saw a consistent count; the last one committed saw 50.
  assert.equal(Math.max(...up.map((r) => r.body.upvotes)), 50);
  assert.equal(await upvotes(a.db), 50);
  assert.equal(await voteRows(a.db), 50);

  const down = await Promise.all(headers.map((h) => a.app.request(`/api/papers/${ID}/upvote`, { method: 'DELETE', headers: h })));
  assert.deepEqual(down.map((r) => r.status), Array(50).fill(200));
  assert.equal(await upvotes(a.db), 0);
  assert.equal(await voteRows(a.db), 0);
});

test('anonymous: the card links to log in; a form POST redirects to /login?next=...; the API says 401', async (t) => {
  const a = await appFor(t);
  const home = await (await a.app.request('/papers?date=2025-03-12')).text();
  assert.match(home, /<a class="vote" href="\/login\?next=%2Fpapers%3Fdate%3D2025-03-12" title="Log in to upvote"><span aria-hidden="true">▲<\/span><span class="n">0<\/span>/);
  assert.doesNotMatch(home, /<script/);

  const anon = anonymousForm();
  const res = await a.app.request(`/papers/${ID}/upvote`, {
    method: 'POST',
    headers: { cookie: anon.cookie, 'content-type': FORM, referer: 'http://localhost:3000/papers?date=2025-03-12' },
    body: formBody({}),
  });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/login?next=%2Fpapers%3Fdate%3D2025-03-12');

  const api = await a.app.request(`/api/papers/${ID}/upvote`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(api.status, 401);
  assert.match(api.headers.get('content-type') ?? '', /application\/problem\+json/);
  assert.equal(await upvotes(a.db), 0);
});

test('a banned user gets 403 (form and API); a missing CSRF token is 403; Bearer needs none', async (t) => {
  const a = await appFor(t);
  const banned = await quickUser(a.db);
  await setBanned(a.db, banned.id, '2025-03-11T00:00:00.000Z');
  assert.equal((await formPost(a, banned, `/papers/${ID}/upvote`)).status, 403);
  assert.equal((await a.app.request(`/api/papers/${ID}/upvote`, { method: 'POST', headers: await bearerHeaders(a.db, banned) })).status, 403);

  const u = await quickUser(a.db);
  const { cookie } = await browserHeaders(a.db, u);
  const noCsrf = await a.app.request(`/papers/${ID}/upvote`, { method: 'POST', headers: { cookie, 'content-type': FORM }, body: formBody({}, false) });
  assert.equal(noCsrf.status, 403);
  assert.match(await noCsrf.text(), /CSRF check failed/);
  const apiNoCsrf = await a.app.request(`/api/papers/${ID}/upvote`, { method: 'POST', headers: { cookie } });
  assert.equal(apiNoCsrf.status, 403);
  assert.equal(await upvotes(a.db), 0);

  const ok = await a.app.request(`/api/papers/${ID}/upvote`, { method: 'POST', headers: await bearerHeaders(a.db, u) });
  assert.equal(ok.status, 200);
  assert.equal(await upvotes(a.db), 1);
});

test('votes are rate-limited per user (429 with Retry-After), and each vote recomputes the trending score', async (t) => {
  const a = await appFor(t);
  const u = await quickUser(a.db);
  const h = await bearerHeaders(a.db, u);
  await a.app.request(`/api/papers/${ID}/upvote`, { method: 'POST', headers: h });
  const row = await a.db.kysely.selectFrom('papers').select(['trending_score', 'trending_at']).where('id', '=', ID).executeTakeFirstOrThrow();
  // One vote cast now (weight 1) plus the freshness bonus of a paper featured at 08:00, 4 h ago.
  assert.equal(row.trending_score, 1 + 2 ** (-4 / 24));
  assert.equal(row.trending_at, NOW.toISOString());

  let last: Response | null = null;
  for (let i = 0; i < 120; i++) last = await a.app.request(`/api/papers/${ID}/upvote`, { method: i % 2 ? 'POST' : 'DELETE', headers: h });
  assert.equal(last!.status, 429);
  assert.ok(Number(last!.headers.get('retry-after')) > 0);
});
