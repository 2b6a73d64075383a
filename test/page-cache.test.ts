/**
 * The in-process page cache (src/web/middleware/page-cache.ts): anonymous public pages are served
 * from memory with ETag/Last-Modified revalidation and gzip, and every kind of write invalidates
 * them: through a service, straight through a repository, from another connection, and the clock.
 * The last test covers the fast path (src/web/fast-path.ts), which answers hits in the node request
 * listener without the app: same headers as the app's hits, validators, gzip, and invalidation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { getRequestListener } from '@hono/node-server';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { Db } from '../src/storage/db.ts';
import { createApp } from '../src/web/app.ts';
import { withPageCacheFastPath } from '../src/web/fast-path.ts';
import { DATA_VERSION_MS } from '../src/web/middleware/page-cache.ts';
import { testConfig } from '../src/config.ts';
import { freshDb, paperRecord, seedFeatured } from './support/db.ts';
import { bearerHeaders, browserHeaders, makeUser } from './support/community.ts';

/**
 * Waits until this process has counted every commit so far. SQLite sees them synchronously; on
 * PostgreSQL they arrive by NOTIFY a moment after the commit.
 */
async function settled(db: Db): Promise<void> {
  await db.changeFeed?.().sync();
}

/** A commit by another connection: a second SQLite handle, or a second PostgreSQL session. */
async function updateElsewhere(t: { db: Db; file: string }, title: string): Promise<void> {
  if (t.db.dialect === 'postgres') {
    const c = new pg.Client({ connectionString: t.file });
    await c.connect();
    await c.query("update papers set title = $1 where id = '2503.30001'", [title]);
    await c.end();
    return;
  }
  const other = new SQLite(t.file);
  other.prepare("update papers set title = ? where id = '2503.30001'").run(title);
  other.close();
}

async function setup() {
  const t = await freshDb();
  let now = new Date('2025-03-12T12:00:00Z');
  const app = createApp({ db: t.db, config: testConfig({ dataDir: t.dir }), now: () => now });
  await seedFeatured(t.db, [
    { record: paperRecord({ id: '2503.30001', title: 'Cached paper one' }), day: '2025-03-12', upvotes: 1 },
    { record: paperRecord({ id: '2503.30002', title: 'Cached paper two' }), day: '2025-03-12' },
  ]);
  await settled(t.db);
  return { ...t, app, setNow: (d: Date) => (now = d) };
}

test('anonymous feed pages are cached, revalidate with ETag and Last-Modified, and gzip', async () => {
  const t = await setup();
  try {
    const first = await t.app.request('/');
    const body = await first.text();
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('x-cache'), 'miss');
    assert.match(first.headers.get('cache-control')!, /public/);
    assert.match(first.headers.get('vary')!, /Cookie/);
    assert.match(first.headers.get('vary')!, /Accept-Encoding/);
    const etag = first.headers.get('etag')!;
    const lastModified = first.headers.get('last-modified');
    assert.match(etag, /^"[A-Za-z0-9_-]+"$/);

    const second = await t.app.request('/');
    assert.equal(second.headers.get('x-cache'), 'hit');
    assert.equal(second.headers.get('etag'), etag);
    assert.equal(await second.text(), body);

    const revalidated = await t.app.request('/', { headers: { 'if-none-match': etag } });
    assert.equal(revalidated.status, 304);
    assert.equal(await revalidated.text(), '');
    assert.equal(revalidated.headers.get('etag'), etag);
    assert.equal((await t.app.request('/', { headers: { 'if-none-match': '"other"' } })).status, 200);
    if (lastModified) {
      assert.equal((await t.app.request('/', { headers: { 'if-modified-since': lastModified } })).status, 304);
      assert.equal((await t.app.request('/', { headers: { 'if-modified-since': 'Thu, 01 Jan 2015 00:00:00 GMT' } })).status, 200);
    }

    const gz = await t.app.request('/', { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    assert.equal(gz.headers.get('content-encoding'), 'gzip');
    assert.notEqual(gz.headers.get('etag'), etag, 'each representation has its own validator');
    assert.equal(zlib.gunzipSync(Buffer.from(await gz.arrayBuffer())).toString('utf8'), body);
    assert.equal((await t.app.request('/', { headers: { 'accept-encoding': 'gzip;q=0' } })).headers.get('content-encoding'), null);

    // API lists are public too.
    const api1 = await t.app.request('/api/daily_papers');
    const api2 = await t.app.request('/api/daily_papers');
    assert.equal(api2.headers.get('x-cache'), 'hit');
    assert.deepEqual(await api2.json(), await api1.json());
  } finally {
    await t.cleanup();
  }
});

test('a write through a service, a repository, another connection or a new minute invalidates cached pages', async () => {
  const t = await setup();
  try {
    const user = await makeUser(t.db);
    await settled(t.db);
    const etagOf = async () => {
      const r = await t.app.request('/papers/2503.30001');
      await r.arrayBuffer();
      return { etag: r.headers.get('etag'), cache: r.headers.get('x-cache') };
    };
    const a = await etagOf();
    assert.equal((await etagOf()).cache, 'hit');

    // A vote through the API (a service write, same connection).
    const vote = await t.app.request('/api/papers/2503.30001/upvote', { method: 'POST', headers: await bearerHeaders(t.db, user) });
    assert.equal(vote.status, 200);
    const b = await etagOf();
    assert.equal(b.cache, 'miss');
    assert.notEqual(b.etag, a.etag);
    const feed = await (await t.app.request('/')).text();
    assert.match(feed, /Cached paper one/);

    // A write straight through Kysely (no service involved).
    await t.db.kysely.updateTable('papers').set({ title: 'Retitled paper' }).where('id', '=', '2503.30001').execute();
    await settled(t.db);
    const c = await t.app.request('/papers/2503.30001');
    assert.equal(c.headers.get('x-cache'), 'miss');
    assert.match(await c.text(), /Retitled paper/);

    // A commit by another connection (e.g. `dailypapers import` running beside the server).
    assert.equal((await etagOf()).cache, 'hit');
    await updateElsewhere(t, 'Changed elsewhere');
    await settled(t.db);
    const d = await t.app.request('/papers/2503.30001');
    assert.equal(d.headers.get('x-cache'), 'miss');
    assert.match(await d.text(), /Changed elsewhere/);

    // The clock: entries last at most until the next minute.
    assert.equal((await etagOf()).cache, 'hit');
    t.setNow(new Date('2025-03-12T12:01:00Z'));
    assert.equal((await etagOf()).cache, 'miss');
  } finally {
    await t.cleanup();
  }
});

test('signed-in pages and non-public responses are never cached', async () => {
  const t = await setup();
  try {
    const user = await makeUser(t.db);
    const headers = await browserHeaders(t.db, user, new Date('2025-03-12T12:00:00Z'));
    await (await t.app.request('/')).arrayBuffer(); // an anonymous copy exists
    for (let i = 0; i < 2; i++) {
      const r = await t.app.request('/', { headers });
      const html = await r.text();
      assert.equal(r.headers.get('x-cache'), null);
      assert.match(r.headers.get('cache-control')!, /private/);
      assert.match(html, new RegExp(user.username), 'the signed-in page names its viewer');
    }
    const token = await bearerHeaders(t.db, user);
    assert.equal((await t.app.request('/api/daily_papers', { headers: token })).headers.get('x-cache'), null);
    for (const path of ['/healthz', '/login', '/papers/9999.99999']) {
      await (await t.app.request(path)).arrayBuffer();
      assert.equal((await t.app.request(path)).headers.get('x-cache'), null, path);
    }
  } finally {
    await t.cleanup();
  }
});

interface Got {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A raw HTTP exchange: no decompression or header normalisation, unlike fetch. */
function get(base: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = http.request(base + path, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function listen(listener: http.RequestListener): Promise<{ base: string; close: () => Promise<void> }> {
  const server = http.createServer(listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

/** Headers that depend on the exchange, not on the page. */
function pageHeaders(h: http.IncomingHttpHeaders): Record<string, unknown> {
  const { date: _d, connection: _c, 'keep-alive': _k, ...rest } = h;
  return rest;
}

test('the fast path answers hits without the app, with the same headers, validators and gzip, until a write', async () => {
  const t = await setup();
  const appListener = getRequestListener(t.app.fetch);
  let appCalls = 0;
  const fast = await listen(withPageCacheFastPath(t.db, (req, res) => (appCalls++, appListener(req, res))));
  const slow = await listen(appListener); // the app alone, answering hits from the same cache
  try {
    const first = await get(fast.base, '/');
    assert.equal(first.status, 200);
    assert.equal(first.headers['x-cache'], 'miss');
    assert.equal(appCalls, 1);

    const hit = await get(fast.base, '/');
    assert.equal(appCalls, 1, 'a hit is answered without the app');
    assert.equal(hit.headers['x-cache'], 'hit');
    assert.equal(hit.headers.etag, first.headers.etag);
    assert.deepEqual(hit.body, first.body);
    assert.equal(Number(hit.headers['content-length']), hit.body.length);
    assert.deepEqual(pageHeaders(hit.headers), pageHeaders((await get(slow.base, '/')).headers));

    const gz = await get(fast.base, '/', { 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(appCalls, 1);
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.notEqual(gz.headers.etag, hit.headers.etag);
    assert.deepEqual(zlib.gunzipSync(gz.body), hit.body);
    assert.equal(Number(gz.headers['content-length']), gz.body.length);
    assert.deepEqual(pageHeaders(gz.headers), pageHeaders((await get(slow.base, '/', { 'accept-encoding': 'gzip, deflate, br' })).headers));
    assert.equal((await get(fast.base, '/', { 'accept-encoding': 'gzip;q=0' })).headers['content-encoding'], undefined);

    const revalidated = await get(fast.base, '/', { 'accept-encoding': 'gzip', 'if-none-match': gz.headers.etag! });
    assert.equal(revalidated.status, 304);
    assert.equal(revalidated.body.length, 0);
    assert.equal(revalidated.headers.etag, gz.headers.etag);
    assert.deepEqual(pageHeaders(revalidated.headers), pageHeaders((await get(slow.base, '/', { 'accept-encoding': 'gzip', 'if-none-match': gz.headers.etag! })).headers));
    assert.equal((await get(fast.base, '/', { 'if-none-match': gz.headers.etag! })).status, 200, 'the gzip validator does not match the identity body');

    const head = await get(fast.base, '/', {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal(head.headers['content-length'], hit.headers['content-length']);
    assert.equal(appCalls, 1);

    // Requests that may be personal go to the app.
    await get(fast.base, '/', { cookie: 'dp_session=whatever' });
    await get(fast.base, '/', { authorization: 'Bearer dp_nope' });
    await get(fast.base, '/?other');
    assert.equal(appCalls, 4);

    // A write by this process is seen at once.
    const paper = '/papers/2503.30001';
    const before = await get(fast.base, paper);
    assert.equal((await get(fast.base, paper)).headers['x-cache'], 'hit');
    assert.equal(appCalls, 5);
    const user = await makeUser(t.db);
    assert.equal((await t.app.request(`/api${paper}/upvote`, { method: 'POST', headers: await bearerHeaders(t.db, user) })).status, 200);
    const afterVote = await get(fast.base, paper);
    assert.equal(afterVote.headers['x-cache'], 'miss');
    assert.equal(appCalls, 6);
    assert.notEqual(afterVote.headers.etag, before.headers.etag);
    assert.equal((await get(fast.base, paper)).headers['x-cache'], 'hit');
    assert.equal(appCalls, 6);

    // Another connection's commit is seen within DATA_VERSION_MS.
    await updateElsewhere(t, 'Changed elsewhere');
    await settled(t.db);
    await new Promise((r) => setTimeout(r, DATA_VERSION_MS * 2 + 1));
    const afterImport = await get(fast.base, paper);
    assert.equal(afterImport.headers['x-cache'], 'miss');
    assert.match(afterImport.body.toString('utf8'), /Changed elsewhere/);
  } finally {
    await fast.close();
    await slow.close();
    await t.cleanup();
  }
});
