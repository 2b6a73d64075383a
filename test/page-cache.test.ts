/**
 * The in-process page cache (src/web/middleware/page-cache.ts): anonymous public pages are served
 * from memory with ETag/Last-Modified revalidation and gzip, and every kind of write invalidates
 * them: through a service, straight through a repository, from another connection, and the clock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import SQLite from 'better-sqlite3';
import { createApp } from '../src/web/app.ts';
import { testConfig } from '../src/config.ts';
import { freshDb, paperRecord, seedFeatured } from './support/db.ts';
import { bearerHeaders, browserHeaders, makeUser } from './support/community.ts';

async function setup() {
  const t = await freshDb();
  let now = new Date('2025-03-12T12:00:00Z');
  const app = createApp({ db: t.db, config: testConfig({ dataDir: t.dir }), now: () => now });
  await seedFeatured(t.db, [
    { record: paperRecord({ id: '2503.30001', title: 'Cached paper one' }), day: '2025-03-12', upvotes: 1 },
    { record: paperRecord({ id: '2503.30002', title: 'Cached paper two' }), day: '2025-03-12' },
  ]);
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
    const c = await t.app.request('/papers/2503.30001');
    assert.equal(c.headers.get('x-cache'), 'miss');
    assert.match(await c.text(), /Retitled paper/);

    // A commit by another connection (e.g. `dailypapers import` running beside the server).
    assert.equal((await etagOf()).cache, 'hit');
    const other = new SQLite(t.file);
    other.prepare("update papers set title = 'Changed elsewhere' where id = '2503.30001'").run();
    other.close();
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
