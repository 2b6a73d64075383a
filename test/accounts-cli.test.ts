import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './support/cli.ts';
import { openDatabase } from '../src/storage/db.ts';
import { authenticate, userForApiToken } from '../src/services/auth.ts';

function tmpDb(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-accounts-cli-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'cli.sqlite');
}

async function withDb<T>(file: string, fn: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const db = await openDatabase(file);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

test('user create reads the password from stdin, sets the role, and refuses taken names', { timeout: 240_000 }, async (t) => {
  const db = tmpDb(t);
  const r = await runCli(['user', 'create', 'ada', '--email', 'ada@example.org', '--password-stdin', '--role', 'editor', '--db', db], {}, 'a long passphrase\n');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^created user ada \(id 1, role editor\)\n$/);
  await withDb(db, async (d) => {
    // The trailing newline was dropped; the rest of the password is exact.
    const user = await authenticate(d, 'ada', 'a long passphrase', new Date());
    assert.equal(user.role, 'editor');
  });

  const taken = await runCli(['user', 'create', 'ADA', '--email', 'other@example.org', '--password-stdin', '--db', db], {}, 'another passphrase\n');
  assert.equal(taken.code, 1);
  assert.match(taken.stderr, /username is taken/);

  const role = await runCli(['user', 'set-role', 'ada', 'admin', '--db', db]);
  assert.equal(role.code, 0, role.stderr);
  assert.match(role.stdout, /ada is now admin \(was editor\)/);
  const ban = await runCli(['user', 'ban', 'ada', '--db', db]);
  assert.equal(ban.code, 0, ban.stderr);
  await withDb(db, async (d) => {
    const row = await d.kysely.selectFrom('users').select(['role', 'banned_at']).where('username', '=', 'ada').executeTakeFirstOrThrow();
    assert.equal(row.role, 'admin');
    assert.ok(row.banned_at);
  });
  assert.equal((await runCli(['user', 'unban', 'ada', '--db', db])).code, 0);
  assert.equal((await runCli(['user', 'ban', 'nobody', '--db', db])).code, 1);
});

test('user create: usage and validation errors exit 2 with the reason', { timeout: 240_000 }, async (t) => {
  const db = tmpDb(t);
  const cases: [string[], string, RegExp][] = [
    [['user', 'create', 'bob', '--email', 'bob@example.org', '--password-stdin', '--role', 'root'], 'a long passphrase\n', /Unknown role "root"/],
    [['user', 'create', 'bob', '--email', 'bob@example.org'], 'a long passphrase\n', /--password-stdin/],
    [['user', 'create', 'bob', '--password-stdin'], 'a long passphrase\n', /--email/],
    [['user', 'create', 'bob', '--email', 'not-an-email', '--password-stdin'], 'a long passphrase\n', /valid email/],
    [['user', 'create', 'bob', '--email', 'bob@example.org', '--password-stdin'], 'short\n', /at least 8 characters/],
    [['user', 'create', 'b<b>', '--email', 'bob@example.org', '--password-stdin'], 'a long passphrase\n', /Username must be/],
    [['user', 'create', 'bob', '--email', 'bob@example.org', '--password-stdin'], '', /no password on stdin/],
    [['user', 'frob', 'bob'], '', /unknown user subcommand/],
    [['user', 'set-role', 'bob', 'king'], '', /Unknown role "king"/],
  ];
  for (const [args, input, message] of cases) {
    const r = await runCli([...args, '--db', db], {}, input);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
  }
  await withDb(db, async (d) => {
    const n = await d.kysely.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(n.n), 0, 'nothing was created');
  });
});

test('token create prints the token alone on stdout; it authenticates, and token revoke ends it', { timeout: 240_000 }, async (t) => {
  const db = tmpDb(t);
  assert.equal((await runCli(['user', 'create', 'cy', '--email', 'cy@example.org', '--password-stdin', '--db', db], {}, 'a long passphrase')).code, 0);

  const r = await runCli(['token', 'create', 'cy', '--name', 'deploy bot', '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[0], /^dp_[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(lines.slice(1), ['']);
  assert.match(r.stderr, /created token "deploy bot" \(id 1\) for cy/);
  const token = lines[0];
  await withDb(db, async (d) => assert.equal((await userForApiToken(d, token, new Date()))?.username, 'cy'));

  const list = await runCli(['token', 'list', 'cy', '--db', db]);
  assert.match(list.stdout, /^1\tdeploy bot\tcreated .*\tlast used .*\tactive\n$/);
  assert.ok(!list.stdout.includes(token));

  const revoke = await runCli(['token', 'revoke', 'cy', '1', '--db', db]);
  assert.equal(revoke.code, 0, revoke.stderr);
  await withDb(db, async (d) => assert.equal(await userForApiToken(d, token, new Date()), null));
  assert.equal((await runCli(['token', 'revoke', 'cy', '1', '--db', db])).code, 1, 'already revoked');

  const unknown = await runCli(['token', 'create', 'nobody', '--db', db]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no user "nobody"/);
  assert.equal(unknown.stdout, '');
  const usage = await runCli(['token', 'create', '--db', db]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /needs a <username>/);
});
