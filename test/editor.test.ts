import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { paperRecord, seedFeatured, testApp } from './support/db.ts';
import { bearerHeaders, browserHeaders, formBody } from './support/community.ts';
import { insertUser } from '../src/storage/users-repo.ts';
import { upsertPapers } from '../src/storage/papers-repo.ts';
import type { Db } from '../src/storage/db.ts';
import type { Role, User } from '../src/domain/user.ts';

type App = Awaited<ReturnType<typeof testApp>>;
const FORM = 'application/x-www-form-urlencoded';
const NOW = new Date('2025-03-12T12:00:00Z');

async function appFor(t: TestContext): Promise<App> {
  process.env.OFFLINE = '1';
  const a = await testApp({}, NOW);
  t.after(() => a.cleanup());
  await seedFeatured(a.db, [
    { record: paperRecord({ id: '2503.00001' }), day: '2025-03-12', upvotes: 9 },
    { record: paperRecord({ id: '2503.00002' }), day: '2025-03-12', upvotes: 5 },
    { record: paperRecord({ id: '2503.00003' }), day: '2025-03-12', upvotes: 1 },
  ]);
  // Old and unfeatured: editors may feature it anyway, on any day.
  await upsertPapers(a.db, [paperRecord({ id: '1706.03762', title: 'Attention Is All You Need', publishedAt: '2017-06-12' })], '2025-03-01T00:00:00.000Z');
  return a;
}

let n = 0;
async function quickUser(db: Db, role: Role): Promise<User> {
  n++;
  return insertUser(db, { username: `${role}${n}`, email: `${role}${n}@example.org`, passwordHash: 'x', role, now: '2025-03-01T00:00:00.000Z' });
}

function json(a: App, method: string, path: string, headers: Record<string, string>, body?: unknown) {
  return a.app.request(path, { method, headers: { ...headers, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function dayIds(a: App, day: string): Promise<string[]> {
  return ((await (await a.app.request(`/api/daily_papers?date=${day}`)).json()) as any[]).map((i) => i.paper.id);
}

test('API: an editor features any paper on any day (no age rule), moves it, and unfeatures it', async (t) => {
  const a = await appFor(t);
  const editor = await quickUser(a.db, 'editor');
  const h = await bearerHeaders(a.db, editor);
  const r = await json(a, 'POST', '/api/papers/1706.03762/feature', h, { day: '2025-03-01' });
  assert.equal(r.status, 200);
  const p = (await r.json()) as any;
  assert.equal(p.featuredDay, '2025-03-01');
  assert.equal(p.submittedOnDailyBy.name, editor.username);
  assert.equal(p.submittedOnDailyAt, '2025-03-01T00:00:00.000Z');
  const e = await a.db.kysely.selectFrom('daily_entries').selectAll().where('paper_id', '=', '1706.03762').executeTakeFirstOrThrow();
  assert.equal(e.source, 'editor');
  assert.equal(e.featured_by, editor.id);
  assert.deepEqual(await dayIds(a, '2025-03-01'), ['1706.03762']);

  // Featuring it on another day moves it; featured today, it is stamped now.
  const moved = (await (await json(a, 'POST', '/api/papers/1706.03762/feature', h, { day: '2025-03-12' })).json()) as any;
  assert.equal(moved.featuredDay, '2025-03-12');
  assert.equal(moved.submittedOnDailyAt, NOW.toISOString());
  assert.deepEqual(await dayIds(a, '2025-03-01'), []);

  // submitter=<editor> lists editor features; the editor slug still lists imports.
  const byEditor = (await (await a.app.request(`/api/daily_papers?date=2025-03-12&submitter=${editor.username}`)).json()) as any[];
  assert.deepEqual(byEditor.map((i) => i.paper.id), ['1706.03762']);
  assert.equal((await (await a.app.request('/api/daily_papers?date=2025-03-12&submitter=ak')).json()).length, 3);

  const bad = await json(a, 'POST', '/api/papers/1706.03762/feature', h, { day: '2025-02-30' });
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as any).param, 'day');

  const del = await json(a, 'DELETE', '/api/papers/1706.03762/feature', h);
  assert.equal(del.status, 200);
  assert.equal(((await del.json()) as any).featuredDay, null);
  assert.equal((await json(a, 'DELETE', '/api/papers/1706.03762/feature', h)).status, 404);
});

test('HTML: the editor tools on the paper page feature on a picked day and unfeature (303s)', async (t) => {
  const a = await appFor(t);
  const editor = await quickUser(a.db, 'admin');
  const { cookie } = await browserHeaders(a.db, editor);
  const page = await (await a.app.request('/papers/1706.03762', { headers: { cookie } })).text();
  assert.match(page, /<h2 id="editor-tools-title">Editor tools<\/h2>/);
  assert.match(page, /<input id="feature-day" type="date" name="day" value="2025-03-12" required=""\/>/);

  const f = await a.app.request('/papers/1706.03762/feature', { method: 'POST', headers: { cookie, 'content-type': FORM }, body: formBody({ day: '2025-03-05' }) });
  assert.equal(f.status, 303);
  assert.equal(f.headers.get('location'), '/papers?date=2025-03-05#paper-1706.03762');
  const feed = await (await a.app.request('/papers?date=2025-03-05')).text();
  assert.match(feed, new RegExp(`Submitted by <a href="/u/${editor.username}">${editor.username}</a>`));

  const u = await a.app.request('/papers/1706.03762/unfeature', { method: 'POST', headers: { cookie, 'content-type': FORM }, body: formBody({}) });
  assert.equal(u.status, 303);
  assert.equal(u.headers.get('location'), '/papers/1706.03762');
  assert.deepEqual(await dayIds(a, '2025-03-05'), []);

  // Other users see no editor tools.
  const other = await browserHeaders(a.db, await quickUser(a.db, 'user'));
  assert.doesNotMatch(await (await a.app.request('/papers/1706.03762', { headers: { cookie: other.cookie } })).text(), /Editor tools/);
});

test('reorder: POST /api/days/<day>/order pins an order; move up/down buttons on the day feed', async (t) => {
  const a = await appFor(t);
  const editor = await quickUser(a.db, 'editor');
  const h = await bearerHeaders(a.db, editor);
  assert.deepEqual(await dayIds(a, '2025-03-12'), ['2503.00001', '2503.00002', '2503.00003']);
  const r = await json(a, 'POST', '/api/days/2025-03-12/order', h, { paperIds: ['2503.00003', '2503.00001'] });
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), { day: '2025-03-12', paperIds: ['2503.00003', '2503.00001', '2503.00002'] });
  assert.deepEqual(await dayIds(a, '2025-03-12'), ['2503.00003', '2503.00001', '2503.00002']);

  const notThere = await json(a, 'POST', '/api/days/2025-03-12/order', h, { paperIds: ['1706.03762'] });
  assert.equal(notThere.status, 400);
  assert.match(((await notThere.json()) as any).detail, /arXiv:1706.03762 is not featured on 2025-03-12/);
  assert.equal((await json(a, 'POST', '/api/days/2025-03-12/order', h, { paperIds: 'x' })).status, 400);

  // The editor's day feed has move buttons; a move swaps neighbours and returns to the card.
  const { cookie } = await browserHeaders(a.db, editor);
  const feed = await (await a.app.request('/papers?date=2025-03-12', { headers: { cookie } })).text();
  assert.match(feed, /<form method="post" action="\/papers\/2503.00002\/move"><input type="hidden" name="_csrf" value="[^"]+"\/><input type="hidden" name="direction" value="up"\/>/);
  const mv = await a.app.request('/papers/2503.00002/move', {
    method: 'POST',
    headers: { cookie, 'content-type': FORM, referer: 'http://localhost:3000/papers?date=2025-03-12' },
    body: formBody({ direction: 'up' }),
  });
  assert.equal(mv.status, 303);
  assert.equal(mv.headers.get('location'), '/papers?date=2025-03-12#paper-2503.00002');
  assert.deepEqual(await dayIds(a, '2025-03-12'), ['2503.00003', '2503.00002', '2503.00001']);
  // Moving the first paper up changes nothing.
  await a.app.request('/papers/2503.00003/move', { method: 'POST', headers: { cookie, 'content-type': FORM }, body: formBody({ direction: 'up' }) });
  assert.deepEqual(await dayIds(a, '2025-03-12'), ['2503.00003', '2503.00002', '2503.00001']);
});

test('a normal user gets 403 for every editor action (API and forms), and sees no move buttons', async (t) => {
  const a = await appFor(t);
  const user = await quickUser(a.db, 'user');
  const h = await bearerHeaders(a.db, user);
  assert.equal((await json(a, 'POST', '/api/papers/1706.03762/feature', h, { day: '2025-03-12' })).status, 403);
  assert.equal((await json(a, 'DELETE', '/api/papers/2503.00001/feature', h)).status, 403);
  const order = await json(a, 'POST', '/api/days/2025-03-12/order', h, { paperIds: ['2503.00003'] });
  assert.equal(order.status, 403);
  assert.match(((await order.json()) as any).detail, /Only editors/);
  const { cookie } = await browserHeaders(a.db, user);
  for (const [path, fields] of [
    ['/papers/1706.03762/feature', { day: '2025-03-12' }],
    ['/papers/2503.00001/unfeature', {}],
    ['/papers/2503.00002/move', { direction: 'up' }],
  ] as const) {
    const r = await a.app.request(path, { method: 'POST', headers: { cookie, 'content-type': FORM }, body: formBody(fields) });
    assert.equal(r.status, 403, path);
  }
  assert.deepEqual(await dayIds(a, '2025-03-12'), ['2503.00001', '2503.00002', '2503.00003']);
  assert.doesNotMatch(await (await a.app.request('/papers?date=2025-03-12', { headers: { cookie } })).text(), /\/move"/);
  // Anonymous API: 401.
  assert.equal((await json(a, 'POST', '/api/papers/1706.03762/feature', {}, { day: '2025-03-12' })).status, 401);
});
