/**
 * `dailypapers backup` / `restore` round-trip a populated instance: a backup taken while the server
 * runs (and answers requests) restores into a fresh path with every table's rows intact, and
 * restore refuses what it should.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { openDatabase } from '../src/storage/db.ts';
import { castVote } from '../src/services/votes.ts';
import { createComment } from '../src/services/comments.ts';
import { makeUser } from './support/community.ts';
import { runCli, startServer, waitForExit } from './support/cli.ts';

const SHARED = path.resolve(import.meta.dirname, '../../shared/data');
const DAY = path.join(SHARED, 'arxiv-daily-2025-2026/sample-days/2025-10-22.jsonl');

function tableCounts(file: string): Record<string, number> {
  const db = new SQLite(file, { readonly: true });
  try {
    const tables = db.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and sql not like 'CREATE VIRTUAL%' order by name").all() as { name: string }[];
    return Object.fromEntries(tables.map(({ name }) => [name, (db.prepare(`select count(*) as n from "${name}"`).get() as { n: number }).n]));
  } finally {
    db.close();
  }
}

function rows(file: string, sql: string): unknown[] {
  const db = new SQLite(file, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

test('backup while serving, restore into a fresh path: every table and row comes back', { timeout: 180_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-backup-'));
  const live = path.join(dir, 'live.sqlite');
  try {
    const imported = await runCli(['import', '--quiet', '--db', live, DAY]);
    assert.equal(imported.code, 0, imported.stderr);
    const db = await openDatabase(live);
    const now = new Date('2025-10-23T10:00:00Z');
    const ids = (await db.kysely.selectFrom('daily_entries').select('paper_id').orderBy('paper_id').limit(5).execute()).map((r) => r.paper_id);
    const users = [await makeUser(db, { username: 'alice' }), await makeUser(db, { username: 'bob', role: 'editor' })];
    for (const [i, id] of ids.entries()) {
      for (const u of users.slice(0, 1 + (i % 2))) await castVote(db, u, id, 'up', now);
      const c = await createComment(db, users[0]!, { paperId: id, text: `Comment on ${id}` }, now);
      await createComment(db, users[1]!, { paperId: id, text: `Reply on ${id}`, parentId: c }, now);
    }
    await db.close();

    const server = await startServer(['--db', live, '--no-sample'], { OFFLINE: '1' });
    let backup: Awaited<ReturnType<typeof runCli>>;
    const file = path.join(dir, 'backups', 'snapshot.sqlite');
    try {
      // Readers keep the server busy while the backup copies pages.
      let reading = true;
      const readers = Array.from({ length: 4 }, async () => {
        while (reading) assert.equal((await fetch(`${server.url}/api/daily_papers?date=2025-10-22`)).status, 200);
      });
      backup = await runCli(['backup', file, '--db', live]);
      reading = false;
      await Promise.all(readers);
    } finally {
      server.child.kill('SIGTERM');
      assert.equal(await waitForExit(server.child), 0);
    }
    assert.equal(backup.code, 0, backup.stderr);
    assert.match(backup.stdout, /backed up .* pages .*papers/);
    assert.match(backup.stderr, /backup: 100%/);

    const again = await runCli(['backup', file, '--db', live]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists; pass --force/);

    const fresh = path.join(dir, 'restored', 'fresh.sqlite');
    const restored = await runCli(['restore', file, '--db', fresh]);
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(restored.stdout, /restored .* papers/);

    const expected = tableCounts(live);
    assert.ok(expected.papers! >= 216 && expected.votes! > 0 && expected.comments === 10 && expected.users === 2, JSON.stringify(expected));
    assert.deepEqual(tableCounts(fresh), expected);
    for (const sql of [
      'select * from papers order by id limit 3',
      'select id, username, email, role, password_hash from users order by id',
      'select * from comments order by id',
      'select * from votes order by paper_id, user_id',
      `select id, upvotes, num_comments from papers where id in (${ids.map((i) => `'${i}'`).join(',')}) order by id`,
    ]) {
      assert.deepEqual(rows(fresh, sql), rows(live, sql), sql);
    }
    assert.equal(rows(fresh, 'pragma integrity_check')[0] && (rows(fresh, 'pragma integrity_check')[0] as { integrity_check: string }).integrity_check, 'ok');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('restore refuses a non-empty database without --force, damaged or foreign files, and saves the current database first', { timeout: 120_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-restore-'));
  try {
    const a = path.join(dir, 'a.sqlite');
    const b = path.join(dir, 'b.sqlite');
    assert.equal((await runCli(['import', '--quiet', '--db', a, DAY])).code, 0);
    const db = await openDatabase(b);
    await makeUser(db, { username: 'carol' });
    await db.close();
    const snap = path.join(dir, 'a-backup.sqlite');
    assert.equal((await runCli(['backup', snap, '--db', a, '--quiet'])).code, 0);

    const refused = await runCli(['restore', snap, '--db', b]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /is not empty .*1 users.*--force/);
    assert.equal(tableCounts(b).papers, 0, 'nothing was touched');

    const notSqlite = path.join(dir, 'notes.txt');
    fs.writeFileSync(notSqlite, 'hello, this is not a database at all');
    const r1 = await runCli(['restore', notSqlite, '--db', b, '--force']);
    assert.equal(r1.code, 1);
    assert.match(r1.stderr, /not a SQLite database/);

    const foreign = path.join(dir, 'foreign.sqlite');
    const f = new SQLite(foreign);
    f.exec('create table notes (id integer primary key, body text); insert into notes (body) values (\'x\')');
    f.close();
    const r2 = await runCli(['restore', foreign, '--db', b, '--force']);
    assert.equal(r2.code, 1);
    assert.match(r2.stderr, /not a Daily Papers one/);

    const damaged = path.join(dir, 'damaged.sqlite');
    const bytes = fs.readFileSync(snap);
    bytes.fill(0x5a, 8192, 8192 + 20_000); // scribble over table pages, keep the header
    fs.writeFileSync(damaged, bytes);
    const r3 = await runCli(['restore', damaged, '--db', b, '--force']);
    assert.equal(r3.code, 1);
    assert.match(r3.stderr, /refusing to restore/);

    const forced = await runCli(['restore', snap, '--db', b, '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    const m = /saved the current database \(.*\) to (\S+)/.exec(forced.stdout);
    assert.ok(m, forced.stdout);
    assert.deepEqual(rows(m[1]!, 'select username from users'), [{ username: 'carol' }]);
    assert.equal(tableCounts(b).papers, tableCounts(a).papers);
    assert.equal(tableCounts(b).users, 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
