/**
 * A short load run (the full one is `npm run bench:http`): `dailypapers serve` as a real process
 * over a sample day, autocannon with 10 connections for 2 s per route. No timing assertions (CI
 * machines vary); only that every response was a 2xx and that something got through.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatTable, measure, startServe, startStaticBaseline, SHARED } from '../bench/http-load.ts';
import { runCli } from './support/cli.ts';

test('load: feed, paper, search and API answer 10 concurrent connections with 0 errors', { timeout: 300_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-load-'));
  const db = path.join(dir, 'load.sqlite');
  try {
    const imported = await runCli(['import', '--quiet', '--db', db, path.join(SHARED, 'arxiv-daily-2025-2026/sample-days/2025-10-22.jsonl')]);
    assert.equal(imported.code, 0, imported.stderr);
    const opts = { connections: 10, duration: 2, headers: { 'accept-encoding': 'gzip' } };
    const baseline = await startStaticBaseline();
    const rows = [await measure('static', baseline.url, '/', opts)];
    await baseline.stop();
    const server = await startServe(db);
    try {
      const items = (await (await fetch(`${server.url}/api/daily_papers?limit=1`)).json()) as { paper: { id: string } }[];
      assert.equal(items.length, 1);
      for (const [name, p] of [['feed', '/'], ['paper', `/papers/${items[0]!.paper.id}`], ['search', '/search?q=transformer'], ['api', '/api/daily_papers']] as const) {
        // One request first: a route's first answer may build an index or warm caches.
        assert.equal((await fetch(server.url + p)).status, 200, p);
        rows.push(await measure(name, server.url, p, { ...opts, pid: server.child.pid }));
      }
    } finally {
      assert.equal(await server.stop(), 0);
    }
    console.log(formatTable(rows, rows[0]!.rps));
    for (const r of rows) {
      assert.equal(r.errors, 0, `${r.name} ${r.path}: ${r.errors} errors`);
      assert.ok(r.requests > 0 && r.rps > 0, `${r.name}: no throughput`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
