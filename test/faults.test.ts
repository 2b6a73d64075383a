/**
 * Faults, with real processes: an import killed with SIGKILL and re-run; a read-only database; a
 * full disk (a tiny tmpfs, when this machine lets us mount one) during an import and while serving;
 * SIGTERM while requests are in flight. In every case: a clear message and a non-zero exit, or a
 * 503 problem+json over HTTP, never a damaged database (`PRAGMA integrity_check` is ok).
 * (A kill -9 during a digest is covered in mail-kill.test.ts.)
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { openDatabase } from '../src/storage/db.ts';
import { createApp } from '../src/web/app.ts';
import { testConfig } from '../src/config.ts';
import { importPaths } from '../src/ingest/pipeline.ts';
import { BIN, ROOT, runCli, startServer, waitForExit } from './support/cli.ts';
import { bearerHeaders, makeUser } from './support/community.ts';

const SHARED = path.resolve(import.meta.dirname, '../../shared/data');
const SHARDS = path.join(SHARED, 'arxiv-daily-2025-2026/shards');
const DAY = path.join(SHARED, 'arxiv-daily-2025-2026/sample-days/2025-10-22.jsonl');
const tmp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `dp-fault-${name}-`));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function inspect(file: string): { integrity: string; papers: number; days: number } {
  // Read-write, so that a WAL left by a killed process is recovered as the next opener would.
  const db = new SQLite(file);
  try {
    return {
      integrity: db.pragma('integrity_check', { simple: true }) as string,
      papers: (db.prepare('select count(*) n from papers').get() as { n: number }).n,
      days: (db.prepare('select count(distinct day) n from daily_entries').get() as { n: number }).n,
    };
  } finally {
    db.close();
  }
}

function assertProblem(res: { status: number; type: string | null; body: string }, status: number) {
  assert.equal(res.status, status, res.body);
  assert.match(res.type ?? '', /^application\/problem\+json/);
  const p = JSON.parse(res.body) as { status: number; detail: string };
  assert.equal(p.status, status);
  assert.equal(typeof p.detail, 'string');
}

/** Mounts a tmpfs of `size` at a fresh dir, or says why it cannot. */
function mountTmpfs(size: string): { dir: string; remount: (size: string) => void; unmount: () => void } | string {
  const dir = tmp('tmpfs');
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    return `cannot mount a tmpfs here (${(r.stderr || r.error?.message || `exit ${r.status}`).trim()})`;
  }
  return {
    dir,
    remount: (s) => assert.equal(spawnSync('mount', ['-o', `remount,size=${s}`, dir]).status, 0),
    unmount: () => {
      // Lazily if something still holds a file there: never let cleanup hide the test's own failure.
      if (spawnSync('umount', [dir]).status !== 0) spawnSync('umount', ['-l', dir]);
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

// Three of the 13 daily shards (17,717 papers on 77 days) keep the test quick on a 2-core CI box.
const KILL_SHARDS = ['part-0000.jsonl.gz', 'part-0001.jsonl.gz', 'part-0002.jsonl.gz'].map((f) => path.join(SHARDS, f));

test('kill -9 during an import, then re-run it: exactly 17,717 papers on 77 days, integrity ok', { timeout: 600_000 }, async () => {
  const dir = tmp('kill');
  const db = path.join(dir, 'k.sqlite');
  try {
    const child = spawn(process.execPath, [BIN, 'import', '--quiet', '--db', db, ...KILL_SHARDS], { cwd: ROOT, stdio: 'ignore' });
    // Kill ~1.5 s into the writing (not the start-up): wait for the WAL to appear first.
    const t0 = Date.now();
    while (!(fs.existsSync(`${db}-wal`) && fs.statSync(`${db}-wal`).size > 0) && child.exitCode === null && Date.now() - t0 < 120_000) await sleep(50);
    await sleep(1500);
    const finishedFirst = child.exitCode !== null;
    child.kill('SIGKILL');
    await waitForExit(child);
    const after = inspect(db);
    assert.equal(after.integrity, 'ok');
    if (!finishedFirst) assert.ok(after.papers < 17_717, `killed mid-import, yet ${after.papers} papers`);

    const rerun = await runCli(['import', '--quiet', '--db', db, ...KILL_SHARDS]);
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.deepEqual(inspect(db), { integrity: 'ok', papers: 17_717, days: 77 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('read-only database: serve and import fail clearly, writes over HTTP are 503 problem+json', { timeout: 300_000 }, async (t: TestContext) => {
  const dir = tmp('ro');
  const file = path.join(dir, 'ro.sqlite');
  try {
    const db = await openDatabase(file);
    await importPaths(db, [DAY], { feature: 'auto' });
    const user = await makeUser(db);
    const auth = await bearerHeaders(db, user);
    await db.close();
    const before = inspect(file);

    // In-process: the server's connection cannot write (as when the file turns read-only under it).
    const ro = await openDatabase(file, { readonly: true });
    try {
      const app = createApp({ db: ro, config: testConfig({ dataDir: dir }), now: () => new Date() });
      assert.equal((await app.request('/api/daily_papers?date=2025-10-22')).status, 200, 'reads still work');
      const id = (await ro.kysely.selectFrom('daily_entries').select('paper_id').limit(1).executeTakeFirstOrThrow()).paper_id;
      for (const [method, url, body] of [['POST', `/api/papers/${id}/upvote`, undefined], ['POST', `/api/papers/${id}/comments`, '{"text":"hello"}']] as const) {
        const res = await app.request(url, { method, headers: { ...auth, 'content-type': 'application/json' }, body });
        assertProblem({ status: res.status, type: res.headers.get('content-type'), body: await res.text() }, 503);
      }
    } finally {
      await ro.close();
    }

    // Real processes. Root ignores file modes, so the commands run as `nobody` when we are root.
    const asRoot = process.getuid?.() === 0;
    if (asRoot && spawnSync('id', ['nobody']).status !== 0) return t.skip('running as root and there is no `nobody` user to drop to');
    fs.chmodSync(file, 0o444);
    fs.chmodSync(dir, 0o555);
    try {
      const env = { ...process.env, SECRET: 'fault-secret', HOME: os.tmpdir(), LOG_LEVEL: 'warn' };
      const as = asRoot ? { uid: 65534, gid: 65534 } : {};
      for (const args of [['import', '--quiet', '--db', file, DAY], ['serve', '--port', '0', '--no-sample', '--db', file]]) {
        const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000, ...as });
        assert.equal(r.status, 1, `${args[0]}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, new RegExp(`^dailypapers ${args[0]}: .*read-only: check the permissions of the file and of its folder`));
      }
    } finally {
      fs.chmodSync(dir, 0o755);
      fs.chmodSync(file, 0o644);
    }
    assert.deepEqual(inspect(file), before, 'nothing changed, nothing damaged');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('disk full during an import (2 MB tmpfs): a clear error, exit 1, integrity ok', { timeout: 300_000 }, async (t: TestContext) => {
  const m = mountTmpfs('2m');
  if (typeof m === 'string') return t.skip(m);
  try {
    const file = path.join(m.dir, 'full.sqlite');
    const r = await runCli(['import', '--quiet', '--db', file, SHARDS], { SECRET: 'fault-secret' });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /dailypapers import: .*disk holding the database.* is full: free some space/);
    // Space is freed (as an operator would), then the database opens clean.
    m.remount('256m');
    assert.equal(inspect(file).integrity, 'ok');
  } finally {
    m.unmount();
  }
});

test('disk full while serving: writes get 503 problem+json, reads keep working, and writes resume once space is freed', { timeout: 300_000 }, async (t: TestContext) => {
  const m = mountTmpfs('24m');
  if (typeof m === 'string') return t.skip(m);
  try {
    const file = path.join(m.dir, 'serve.sqlite');
    const db = await openDatabase(file);
    await importPaths(db, [DAY], { feature: 'auto' });
    const auth = await bearerHeaders(db, await makeUser(db));
    const id = (await db.kysely.selectFrom('daily_entries').select('paper_id').limit(1).executeTakeFirstOrThrow()).paper_id;
    await db.close();
    const server = await startServer(['--db', file, '--no-sample'], { SECRET: 'fault-secret', OFFLINE: '1' });
    try {
      const comment = async (text: string) => {
        const res = await fetch(`${server.url}/api/papers/${id}/comments`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ text }) });
        return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
      };
      assert.equal((await comment('before the disk fills')).status, 201);
      // Empty the WAL so the next write must allocate, then fill every free byte.
      const side = new SQLite(file);
      side.pragma('wal_checkpoint(TRUNCATE)');
      side.close();
      const filler = path.join(m.dir, 'filler');
      spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k'], { stdio: 'ignore' });
      assertProblem(await comment('while the disk is full'), 503);
      const vote = await fetch(`${server.url}/api/papers/${id}/upvote`, { method: 'POST', headers: auth });
      assertProblem({ status: vote.status, type: vote.headers.get('content-type'), body: await vote.text() }, 503);
      assert.equal((await fetch(`${server.url}/api/papers/${id}`)).status, 200, 'reads still work');
      fs.rmSync(filler);
      assert.equal((await comment('after space is freed')).status, 201);
    } finally {
      server.child.kill('SIGTERM');
      assert.equal(await waitForExit(server.child), 0);
    }
    const check = new SQLite(file, { readonly: true });
    const texts = check.prepare('select body from comments order by id').all() as { body: string }[];
    check.close();
    assert.deepEqual(texts.map((r) => r.body), ['before the disk fills', 'after space is freed']);
    assert.equal(inspect(file).integrity, 'ok');
  } finally {
    m.unmount();
  }
});

test('SIGTERM under load: every in-flight request completes with 200 and the server exits 0', { timeout: 300_000 }, async () => {
  const dir = tmp('term');
  const file = path.join(dir, 't.sqlite');
  try {
    assert.equal((await runCli(['import', '--quiet', '--db', file, DAY])).code, 0);
    const server = await startServer(['--db', file, '--no-sample'], { OFFLINE: '1', PAGE_CACHE: '0' });
    const port = Number(new URL(server.url).port);
    // Every connection is open (and so accepted by the idle server) before any request is sent:
    // a connection still queued in the kernel when the listener closes is not in flight, and no
    // server could answer it. Then distinct, uncached renders of a 216-paper day keep it busy.
    const N = 100;
    const sockets = await Promise.all(
      Array.from({ length: N }, () => new Promise<net.Socket>((resolve, reject) => {
        const s = net.connect(port, '127.0.0.1', () => resolve(s));
        s.once('error', reject);
      })),
    );
    await sleep(100);
    let done = 0;
    let signalledAt = 0;
    const results = sockets.map((s, i) => new Promise<string>((resolve) => {
      const chunks: Buffer[] = [];
      s.on('data', (c) => chunks.push(c));
      s.on('error', (err) => resolve(`${(err as NodeJS.ErrnoException).code} at +${Date.now() - signalledAt} ms`));
      s.on('end', () => {
        done++;
        resolve(Buffer.concat(chunks).toString('latin1').split('\r\n', 1)[0]);
      });
      s.write(`GET /papers?date=2025-10-22&n=${i} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    }));
    // Signal once the server has answered one request, long before it has answered them all.
    const t0 = Date.now();
    while (done === 0 && Date.now() - t0 < 30_000) await sleep(5);
    const inFlight = N - done;
    signalledAt = Date.now();
    server.child.kill('SIGTERM');
    const statuses = await Promise.all(results);
    assert.deepEqual([...new Set(statuses)], ['HTTP/1.1 200 OK'], `statuses: ${statuses.join(', ')}`);
    assert.equal(await waitForExit(server.child), 0, server.output());
    assert.ok(inFlight > 0, 'the signal came while requests were in flight');
    // And the listener is closed: a new connection is refused.
    await assert.rejects(new Promise((resolve, reject) => net.connect(port, '127.0.0.1', resolve as () => void).once('error', reject)), /ECONNREFUSED/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
