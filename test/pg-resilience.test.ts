// PostgreSQL only: losing the database mid-request answers 503 problem+json, and the same app
// recovers by itself once the database is reachable again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../src/storage/db.ts';
import { createApp } from '../src/web/app.ts';
import { testConfig } from '../src/config.ts';
import { createPgDatabase, TEST_PG_URL } from './support/pg.ts';
import { paperRecord, seedFeatured } from './support/db.ts';
import { startTcpProxy } from './support/tcp-proxy.ts';

test('a lost database connection gives 503 problem+json, and the server recovers when it returns', { skip: !TEST_PG_URL && 'needs TEST_DATABASE_URL (a PostgreSQL cluster)' }, async () => {
  const pgDb = await createPgDatabase();
  const target = new URL(pgDb.url);
  const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
  const viaProxy = new URL(pgDb.url);
  viaProxy.port = String(proxy.port);
  process.env.PG_CONNECT_TIMEOUT_MS = '2000';
  const db = await openDatabase(viaProxy.toString());
  try {
    const rec = paperRecord({ title: 'Resilient paper' });
    await seedFeatured(db, [{ record: rec, day: '2025-03-11' }]);
    const app = createApp({ db, config: testConfig(), now: () => new Date('2025-03-12T12:00:00Z') });
    const get = (path: string, accept = 'application/json') => app.request(path, { headers: { accept } });

    const ok = await get(`/api/papers/${rec.id}`);
    assert.equal(ok.status, 200);

    // Requests in flight when the connection drops, and requests after it: never a 500.
    const inFlight = [0, 1, 2, 3, 4, 5].map((i) => get(i % 2 ? '/api/daily_papers?date=2025-03-11' : `/api/papers/${rec.id}`));
    await proxy.cut();
    for (const r of await Promise.all(inFlight)) assert.ok(r.status === 200 || r.status === 503, `in-flight request got ${r.status}`);

    for (const path of [`/api/papers/${rec.id}`, '/api/daily_papers?date=2025-03-11', `/api/papers/${rec.id}/comments`]) {
      const down = await get(path);
      assert.equal(down.status, 503, `${path} while the database is away`);
      assert.match(down.headers.get('content-type') ?? '', /application\/problem\+json/);
      const body = (await down.json()) as { status: number; detail: string };
      assert.equal(body.status, 503);
      assert.match(body.detail, /database is unavailable/);
    }
    const page = await get('/', 'text/html');
    assert.equal(page.status, 503, 'pages too');

    await proxy.restore();
    let back = 0;
    for (let i = 0; i < 50 && back !== 200; i++) {
      back = (await get(`/api/papers/${rec.id}`)).status;
      if (back !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(back, 200, 'the same app answers again once the database is back');
    const item = (await (await get(`/api/papers/${rec.id}`)).json()) as { title: string };
    assert.equal(item.title, 'Resilient paper');
  } finally {
    delete process.env.PG_CONNECT_TIMEOUT_MS;
    await db.close();
    await proxy.close();
    await pgDb.drop();
  }
});
