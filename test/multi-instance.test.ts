// PostgreSQL only: two `serve` processes over one database behave as one site.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../src/storage/db.ts';
import { createPgDatabase, TEST_PG_URL } from './support/pg.ts';
import { paperRecord, seedFeatured } from './support/db.ts';
import { bearerHeaders, makeUser } from './support/community.ts';
import { startServer, waitForExit } from './support/cli.ts';

const skip = !TEST_PG_URL && 'needs TEST_DATABASE_URL (a PostgreSQL cluster)';

test('votes through two serve instances give exact counts, and each instance sees the other’s writes', { skip, timeout: 180_000 }, async () => {
  const pgDb = await createPgDatabase();
  const db = await openDatabase(pgDb.url);
  const servers: Awaited<ReturnType<typeof startServer>>[] = [];
  try {
    const rec = paperRecord({ title: 'Shared across instances' });
    await seedFeatured(db, [{ record: rec, day: '2025-03-11' }]);
    const users = 24;
    const voters: Record<string, string>[] = [];
    for (let i = 0; i < users; i++) voters.push(await bearerHeaders(db, await makeUser(db)));
    // No SECRET: both instances must agree on the one stored in the database.
    const env = { SECRET: '', PAGE_CACHE: '1' };
    servers.push(await startServer(['--db', pgDb.url, '--no-sample'], env));
    servers.push(await startServer(['--db', pgDb.url, '--no-sample'], env));
    const [a, b] = servers.map((s) => s.url);
    const upvotesOn = async (base: string) => ((await (await fetch(`${base}/api/papers/${rec.id}`)).json()) as { upvotes: number }).upvotes;

    // Warm both page caches first: a stale cached answer would show up below.
    assert.equal(await upvotesOn(a!), 0);
    assert.equal(await upvotesOn(b!), 0);

    const vote = (i: number, method: 'POST' | 'DELETE') =>
      fetch(`${i % 2 ? a : b}/api/papers/${rec.id}/upvote`, { method, headers: { ...voters[i], accept: 'application/json' } });
    const ups = await Promise.all(voters.map((_, i) => vote(i, 'POST')));
    const counts = await Promise.all(ups.map(async (r) => ({ status: r.status, body: (await r.json()) as { upvotes: number } })));
    for (const c of counts) assert.equal(c.status, 200, JSON.stringify(c.body));
    assert.equal(Math.max(...counts.map((c) => c.body.upvotes)), users, 'the last vote saw them all');
    assert.equal(await upvotesOn(a!), users);
    assert.equal(await upvotesOn(b!), users);

    // Half take their vote back, again through both instances at once.
    const downs = await Promise.all(voters.slice(0, users / 2).map((_, i) => vote(i, 'DELETE')));
    for (const r of downs) assert.equal(r.status, 200);
    const stored = await db.kysely.selectFrom('papers').select('upvotes').where('id', '=', rec.id).executeTakeFirstOrThrow();
    assert.equal(stored.upvotes, users / 2);
    const rows = await db.kysely.selectFrom('votes').select((eb) => eb.fn.countAll<number>().as('n')).where('paper_id', '=', rec.id).executeTakeFirstOrThrow();
    assert.equal(Number(rows.n), users / 2);

    // A write through A alone: B's cached answer is replaced (it learns of the commit by NOTIFY).
    assert.equal(await upvotesOn(b!), users / 2);
    assert.equal((await vote(0, 'POST')).status, 200);
    let seen = 0;
    for (let i = 0; i < 40 && seen !== users / 2 + 1; i++) {
      seen = await upvotesOn(b!);
      if (seen !== users / 2 + 1) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(seen, users / 2 + 1, 'instance B shows the vote cast through A');

    // A form rendered by one instance is accepted by the other: they share the signing secret.
    const page = await fetch(`${a}/login`);
    const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
    assert.ok(csrf, 'the login form carries a CSRF token');
    const login = await fetch(`${b}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, username: 'nobody', password: 'wrong password' }).toString(),
    });
    assert.notEqual(login.status, 403, 'instance B accepts the CSRF token minted by A');
  } finally {
    for (const s of servers) {
      s.child.kill('SIGTERM');
      await waitForExit(s.child);
    }
    await db.close();
    await pgDb.drop();
  }
});
