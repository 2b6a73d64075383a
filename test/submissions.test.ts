import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { paperRecord, seedFeatured, testApp } from './support/db.ts';
import { anonymousForm, bearerHeaders, browserHeaders, formBody } from './support/community.ts';
import { insertUser, setBanned } from '../src/storage/users-repo.ts';
import { upsertPapers } from '../src/storage/papers-repo.ts';
import type { Db } from '../src/storage/db.ts';
import type { Config } from '../src/config.ts';
import type { User } from '../src/domain/user.ts';

type App = Awaited<ReturnType<typeof testApp>>;
const FORM = 'application/x-www-form-urlencoded';
const NOW = new Date('2025-03-12T12:00:00Z');
const FIXTURE = '/work/shared/data/fixtures/arxiv-api/api-query-all-GAN-2024-01-22.xml';

async function appFor(t: TestContext, config: Partial<Config> = {}, now = NOW): Promise<App> {
  const a = await testApp(config, now);
  t.after(() => a.cleanup());
  return a;
}

let n = 0;
async function quickUser(db: Db): Promise<User> {
  n++;
  return insertUser(db, { username: `sub${n}`, email: `sub${n}@example.org`, passwordHash: 'x', role: 'user', now: '2025-03-01T00:00:00.000Z' });
}

/** Sets env vars for one test (node runs a file's tests one at a time). */
function withEnv(t: TestContext, vars: Record<string, string | undefined>): void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars)) if (v === undefined) delete process.env[k];
  else process.env[k] = v;
  t.after(() => {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  });
}

/** A stand-in arXiv API: answers every query with the fixture, except /broken (HTTP 404). */
async function fakeArxiv(t: TestContext): Promise<{ url: string; requests: string[] }> {
  const body = fs.readFileSync(FIXTURE);
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url?.startsWith('/broken')) {
      res.writeHead(404).end('nope');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/atom+xml' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

async function submitApi(a: App, headers: Record<string, string>, paperId: unknown) {
  const res = await a.app.request('/api/papers/submit', { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ paperId }) });
  return { status: res.status, res, body: (await res.json()) as any };
}

async function seedPaper(db: Db, id: string, over: Parameters<typeof paperRecord>[0] = {}) {
  await upsertPapers(db, [paperRecord({ id, publishedAt: '2025-03-10T17:00:00Z', ...over })], '2025-03-11T00:00:00.000Z');
}

test('format: not an arXiv id or URL → 400 naming paperId; the form shows the message again', async (t) => {
  withEnv(t, { OFFLINE: '1' });
  const a = await appFor(t);
  const u = await quickUser(a.db);
  const r = await submitApi(a, await bearerHeaders(a.db, u), 'not a paper');
  assert.equal(r.status, 400);
  assert.equal(r.body.param, 'paperId');
  assert.match(r.body.detail, /"not a paper" is not an arXiv id or URL: expected e.g. 2503.11677/);
  assert.equal((await submitApi(a, await bearerHeaders(a.db, u), 42)).status, 400);

  const { cookie } = await browserHeaders(a.db, u);
  const form = await a.app.request('/papers/submit', { method: 'POST', headers: { cookie, 'content-type': FORM }, body: formBody({ paperId: 'https://example.org/<b>' }) });
  assert.equal(form.status, 400);
  const html = await form.text();
  assert.match(html, /<p class="form-error" role="alert" id="submit-error">&quot;https:\/\/example.org\/&lt;b&gt;&quot; is not an arXiv id or URL/);
  assert.match(html, /name="paperId" value="https:\/\/example.org\/&lt;b&gt;"/);
});

test('unknown paper while offline → 404 "not indexed ... offline"', async (t) => {
  withEnv(t, { OFFLINE: '1' });
  const a = await appFor(t);
  const u = await quickUser(a.db);
  const r = await submitApi(a, await bearerHeaders(a.db, u), 'https://arxiv.org/abs/2503.12345v2');
  assert.equal(r.status, 404);
  assert.match(r.body.detail, /arXiv:2503.12345 is not indexed here, and this instance is offline/);
});

test('unknown paper while online → fetched from the arXiv API, imported and featured today', async (t) => {
  const arxiv = await fakeArxiv(t);
  withEnv(t, { OFFLINE: undefined, ARXIV_API_URL: `${arxiv.url}/api/query`, ARXIV_MIN_INTERVAL_MS: '0' });
  // The fixture's newest paper (2307.16275) was published 2023-07-30: pin "today" two days later.
  const a = await appFor(t, {}, new Date('2023-08-01T10:00:00Z'));
  const u = await quickUser(a.db);
  const r = await submitApi(a, await bearerHeaders(a.db, u), 'arXiv:2307.16275');
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(arxiv.requests.length, 1);
  assert.match(arxiv.requests[0]!, /^\/api\/query\?id_list=2307.16275&max_results=1$/);
  assert.equal(r.res.headers.get('location'), 'http://localhost:3000/api/papers/2307.16275');
  assert.equal(r.body.id, '2307.16275');
  assert.equal(r.body.featuredDay, '2023-08-01');
  assert.equal(r.body.submittedOnDailyBy.name, u.username);
  const row = await a.db.kysely.selectFrom('papers').select(['title', 'source']).where('id', '=', '2307.16275').executeTakeFirstOrThrow();
  assert.equal(row.source, 'arxiv-api');
  assert.ok(row.title.length > 0);

  // An id the API does not return is "no such paper"; an API failure is a 503 with a clear message.
  const missing = await submitApi(a, await bearerHeaders(a.db, u), '2307.99999');
  assert.equal(missing.status, 404);
  assert.match(missing.body.detail, /arXiv has no paper 2307.99999/);
  process.env.ARXIV_API_URL = `${arxiv.url}/broken`;
  const broken = await submitApi(a, await bearerHeaders(a.db, u), '2307.99998');
  assert.equal(broken.status, 503);
  assert.match(broken.body.detail, /Could not fetch arXiv:2307.99998 from the arXiv API \(.*HTTP 404.*\); try again in a few minutes/);
});

test('too old: first published more than submitMaxAgeDays ago → 400 naming the age and the limit', async (t) => {
  withEnv(t, { OFFLINE: '1' });
  const a = await appFor(t);
  await seedPaper(a.db, '2502.00001', { publishedAt: '2025-02-01T09:00:00Z' });
  await seedPaper(a.db, '2502.00002', { publishedAt: '2025-02-26T13:00:00Z' }); // 13.96 days: allowed
  const h = await bearerHeaders(a.db, await quickUser(a.db));
  const r = await submitApi(a, h, '2502.00001');
  assert.equal(r.status, 400);
  assert.equal(r.body.detail, 'arXiv:2502.00001 was first published on Feb 1, 2025, 39 days ago; community submissions must be at most 14 days old');
  assert.equal((await submitApi(a, h, '2502.00002')).status, 201);
});

test('already featured → 409 naming the day it was featured', async (t) => {
  withEnv(t, { OFFLINE: '1' });
  const a = await appFor(t);
  await seedFeatured(a.db, [{ record: paperRecord({ id: '2503.00100', title: 'Featured before', publishedAt: '2025-03-09' }), day: '2025-03-10' }]);
  const r = await submitApi(a, await bearerHeaders(a.db, await quickUser(a.db)), '2503.00100');
  assert.equal(r.status, 409);
  assert.equal(r.body.featuredOn, '2025-03-10');
  assert.match(r.body.detail, /arXiv:2503.00100 \("Featured before"\) is already featured, on Mar 10, 2025/);
});

test('per-user daily cap → 429 with Retry-After until UTC midnight; other users are not affected', async (t) => {
  withEnv(t, { OFFLINE: '1' });
  const a = await appFor(t, { submitDailyCap: 2 });
  for (const id of ['2503.00201', '2503.00202', '2503.00203', '2503.00204']) await seedPaper(a.db, id);
  const h = await bearerHeaders(a.db, await quickUser(a.db));
  assert.equal((await submitApi(a, h, '2503.00201')).status, 201);
  assert.equal((await submitApi(a, h, '2503.00202')).status, 201);
  const r = await submitApi(a, h, '2503.00203');
  assert.equal(r.status, 429);
  assert.match(r.body.detail, /You have submitted 2 papers today; the limit is 2 a day/);
  assert.equal(r.res.headers.get('retry-after'), String(12 * 3600));
  assert.equal((await submitApi(a, await bearerHeaders(a.db, await quickUser(a.db)), '2503.00203')).status, 201);
});

test('success: the form redirects to today\'s feed, which shows "submitted by <user>"; the API shows the real user', async (t) => {
  withEnv(t, { OFFLINE: '1' });
  const a = await appFor(t);
  await seedPaper(a.db, '2503.00300', { title: 'Community pick' });
  await seedFeatured(a.db, [{ record: paperRecord({ id: '2503.00301', title: 'Imported one' }), day: '2025-03-12' }]);
  const u = await quickUser(a.db);
  const { cookie } = await browserHeaders(a.db, u);

  const page = await a.app.request('/papers/submit', { headers: { cookie } });
  assert.equal(page.status, 200);
  assert.match(await page.text(), /up to 5 a day: you have 5 left today/);

  const res = await a.app.request('/papers/submit', { method: 'POST', headers: { cookie, 'content-type': FORM }, body: formBody({ paperId: 'https://arxiv.org/pdf/2503.00300v1.pdf' }) });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/papers?date=2025-03-12#paper-2503.00300');

  const feed = await (await a.app.request('/papers?date=2025-03-12')).text();
  assert.match(feed, new RegExp(`<p class="meta">Submitted by <a href="/u/${u.username}">${u.username}</a></p>`));
  assert.match(feed, /<p class="meta">Featured by AK<\/p>/);
  const entry = await a.db.kysely.selectFrom('daily_entries').selectAll().where('paper_id', '=', '2503.00300').executeTakeFirstOrThrow();
  assert.equal(entry.source, 'community');
  assert.equal(entry.featured_by, u.id);
  assert.equal(entry.featured_at, NOW.toISOString());

  const api = (await (await a.app.request('/api/daily_papers?date=2025-03-12')).json()) as any[];
  const mine = api.find((i) => i.paper.id === '2503.00300');
  assert.equal(mine.submittedBy.name, u.username);
  assert.equal(mine.submittedBy.avatarUrl, `http://localhost:3000/avatars/${u.username}.svg`);
  assert.deepEqual(mine.paper.submittedOnDailyBy, mine.submittedBy);
  assert.equal(api.find((i) => i.paper.id === '2503.00301').submittedBy.name, 'ak');
  const filtered = (await (await a.app.request(`/api/daily_papers?date=2025-03-12&submitter=${u.username.toUpperCase()}`)).json()) as any[];
  assert.deepEqual(filtered.map((i) => i.paper.id), ['2503.00300']);
  const editor = (await (await a.app.request('/api/daily_papers?date=2025-03-12&submitter=ak')).json()) as any[];
  assert.deepEqual(editor.map((i) => i.paper.id), ['2503.00301']);

  // The page lists the submission and the count left.
  const after = await (await a.app.request('/papers/submit', { headers: { cookie } })).text();
  assert.match(after, /you have 4 left today/);
  assert.match(after, /<a href="\/papers\/2503.00300">Community pick<\/a>/);
});

test('anonymous: the form redirects to log in, the API is 401; banned users get 403', async (t) => {
  withEnv(t, { OFFLINE: '1' });
  const a = await appFor(t);
  const get = await a.app.request('/papers/submit');
  assert.equal(get.status, 303);
  assert.equal(get.headers.get('location'), '/login?next=%2Fpapers%2Fsubmit');
  const anon = anonymousForm();
  const post = await a.app.request('/papers/submit', { method: 'POST', headers: { cookie: anon.cookie, 'content-type': FORM }, body: formBody({ paperId: '2503.00001' }) });
  assert.equal(post.headers.get('location'), '/login?next=%2Fpapers%2Fsubmit');
  assert.equal((await submitApi(a, {}, '2503.00001')).status, 401);

  const banned = await quickUser(a.db);
  await setBanned(a.db, banned.id, '2025-03-01T00:00:00.000Z');
  assert.equal((await submitApi(a, await bearerHeaders(a.db, banned), '2503.00001')).status, 403);
  const { cookie } = await browserHeaders(a.db, banned);
  const page = await (await a.app.request('/papers/submit', { headers: { cookie } })).text();
  assert.match(page, /This account is banned and cannot submit papers/);
});

test('XSS: a title with <script> is text on the submit page (recent list and the 409 message)', async (t) => {
  withEnv(t, { OFFLINE: '1' });
  const a = await appFor(t);
  const evil = '<script>alert(1)</script> & "quotes"';
  await seedPaper(a.db, '2503.00400', { title: evil });
  const u = await quickUser(a.db);
  const { cookie } = await browserHeaders(a.db, u);
  const post = (paperId: string) => a.app.request('/papers/submit', { method: 'POST', headers: { cookie, 'content-type': FORM }, body: formBody({ paperId }) });
  assert.equal((await post('2503.00400')).status, 303);
  const again = await post('2503.00400');
  assert.equal(again.status, 409);
  const html = await again.text();
  assert.doesNotMatch(html, /<script>alert/);
  assert.match(html, /is already featured, on Mar 12, 2025/);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;quotes&quot;/);
  assert.match(html, /<a href="\/papers\/2503.00400">&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
});
