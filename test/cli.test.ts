import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { runCli, startServer, waitForExit } from './support/cli.ts';

const SHARED = path.resolve(import.meta.dirname, '../../shared/data');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'dp-cli-'));

test('import: exit 0 and a summary for good input; exit 3 with file:line errors for bad lines', async () => {
  const dir = tmp();
  const db = path.join(dir, 'x.sqlite');
  const ok = await runCli(['import', '--db', db, path.join(SHARED, 'arxiv-daily-2025-2026/sample-days/2025-10-22.jsonl')]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /imported 286 records .*inserted 216, updated 0, unchanged 70, rejected 0; featured 216/);

  const bad = path.join(dir, 'bad.jsonl');
  fs.writeFileSync(bad, '{"id":"2503.00001","title":"Fine","abstract":"x","authors":[],"categories":[],"first_listed":"2025-03-18"}\n{oops\n');
  const r = await runCli(['import', '--db', db, bad]);
  assert.equal(r.code, 3);
  assert.match(r.stderr, new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: `));
  assert.match(r.stdout, /inserted 1,.*rejected 1/);
  const count = new SQLite(db, { readonly: true }).prepare('select count(*) n from papers').get() as { n: number };
  assert.equal(count.n, 217);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('CLI usage errors exit 2 and say what is wrong', async () => {
  const r1 = await runCli(['import']);
  assert.equal(r1.code, 2);
  assert.match(r1.stderr, /at least one file/);
  const r2 = await runCli(['import', '--format', 'csv', 'x']);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /--format/);
  const r3 = await runCli(['frobnicate']);
  assert.equal(r3.code, 2);
  assert.match(r3.stderr, /unknown command "frobnicate"/);
  const r4 = await runCli(['import', '--bogus', 'x']);
  assert.equal(r4.code, 2);
  assert.match(r4.stderr, /bogus/);
});

test('db migrate and db stats', async () => {
  const dir = tmp();
  const db = path.join(dir, 'm.sqlite');
  const m = await runCli(['db', 'migrate', '--db', db]);
  assert.equal(m.code, 0, m.stderr);
  assert.match(m.stdout, /applied \d+ migration/);
  const again = await runCli(['db', 'migrate'], { DATABASE_URL: db });
  assert.match(again.stdout, /up to date/);
  const s = await runCli(['db', 'stats', '--db', db]);
  assert.deepEqual(JSON.parse(s.stdout), { papers: 0, featured: 0, days: 0 });
  fs.rmSync(dir, { recursive: true, force: true });
});

test('README smoke test: serve loads the sample into an empty db, answers /, and stops on SIGTERM', { timeout: 120_000 }, async () => {
  const dir = tmp();
  const db = path.join(dir, 'smoke.sqlite');
  const { child, url } = await startServer([], { DATABASE_URL: db, EDITOR_NAME: 'Smoke Editor' });
  try {
    const res = await fetch(url + '/');
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /Daily Papers/);
    assert.match(html, /Smoke Editor/);
    assert.match(html, /href="\/papers\/\d{4}\.\d{4,5}"/, 'the sample papers are listed');
    const health = await fetch(url + '/healthz');
    assert.equal(health.status, 200);
    assert.ok(fs.existsSync(path.join(dir, 'secret')), 'a secret is generated into the data directory');
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await waitForExit(child), 0);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('serve --no-sample starts empty', { timeout: 120_000 }, async () => {
  const dir = tmp();
  const db = path.join(dir, 'empty.sqlite');
  const { child, url } = await startServer(['--no-sample', '--db', db]);
  try {
    const res = await fetch(url + '/api/papers');
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.deepEqual(body.papers, []);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await waitForExit(child), 0);
  fs.rmSync(dir, { recursive: true, force: true });
});
