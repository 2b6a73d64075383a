/**
 * Crash safety with a real process: `dailypapers digest send` is killed with SIGKILL in the middle
 * of an SMTP transaction, then run again. Every subscriber gets exactly one digest.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { BIN, ROOT, runCli, waitForExit } from './support/cli.ts';
import { freshDb, paperRecord, seedFeatured } from './support/db.ts';
import { startSmtp } from './support/smtp.ts';
import { confirmSubscriber, insertPendingSubscriber } from '../src/storage/subscriptions-repo.ts';
import { openDatabase } from '../src/storage/db.ts';
import { outboxCounts } from '../src/mail/outbox.ts';
import { mailKysely } from '../src/storage/mail-migrations.ts';

const SUBSCRIBERS = 40;
const KILL_AT = 15;

test('kill -9 mid-send, restart: no duplicates, nobody missed', { timeout: 120_000 }, async (t) => {
  const f = await freshDb();
  t.after(() => f.cleanup());
  await seedFeatured(f.db, [...Array.from({ length: 5 }, () => ({ record: paperRecord(), day: '2025-03-12' })), { record: paperRecord({ title: 'Model compression' }), day: '2025-03-12' }]);
  for (let i = 0; i < SUBSCRIBERS; i++) {
    // Some with topics: later runs then open a database the search engine has migrated too.
    const s = await insertPendingSubscriber(f.db, { email: `k${i}@example.org`, frequency: 'daily', topics: i % 4 ? [] : ['compression'], now: '2025-03-11T00:00:00Z' });
    await confirmSubscriber(f.db, s.id, '2025-03-11T00:00:00Z', null);
  }
  await f.db.close();

  // The server holds the KILL_AT-th recipient: the sender is provably mid-transaction when killed.
  let hold = true;
  let held!: () => void;
  const holding = new Promise<void>((r) => (held = r));
  const smtp = await startSmtp({
    rcpt: (_addr, n) => {
      if (hold && n === KILL_AT) {
        held();
        return new Promise(() => {});
      }
    },
  });
  t.after(() => smtp.close());
  const args = ['digest', 'send', '--frequency', 'daily', '--db', f.file, '--now', '2025-03-12T12:00:00Z'];
  const env = { SMTP_URL: smtp.url, MAIL_CONCURRENCY: '1', MAIL_RATE: '0', SECRET: 'test-secret', DIGEST_CRON: 'off' };

  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  await Promise.race([holding, waitForExit(child).then(() => assert.fail(`sender exited before the kill:\n${out}`))]);
  child.kill('SIGKILL');
  assert.equal(await waitForExit(child), null, 'killed by a signal');
  hold = false;

  const db = await openDatabase(f.file);
  const mid = await outboxCounts(db);
  assert.equal(smtp.messages.length, KILL_AT - 1);
  assert.deepEqual(mid, { queued: SUBSCRIBERS - KILL_AT, sending: 1, sent: KILL_AT - 1, failed: 0, suppressed: 0 });
  await db.close();

  const again = await runCli(args, env);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /already rendered; resuming delivery/);
  assert.match(again.stdout, new RegExp(`sent ${SUBSCRIBERS - KILL_AT + 1},`));

  const recipients = smtp.messages.map((m) => m.to[0]).sort();
  assert.equal(recipients.length, SUBSCRIBERS, 'one message per subscriber');
  assert.deepEqual(recipients, Array.from({ length: SUBSCRIBERS }, (_, i) => `k${i}@example.org`).sort(), 'nobody missed, nobody twice');
  const after = await openDatabase(f.file);
  t.after(() => after.close());
  assert.deepEqual(await outboxCounts(after), { queued: 0, sending: 0, sent: SUBSCRIBERS, failed: 0, suppressed: 0 });
  const killed = await mailKysely(after.kysely).selectFrom('outbox').select(['recipient', 'attempts']).where('attempts', '>', 1).execute();
  assert.equal(killed.length, 1, 'only the interrupted message was tried twice');

  // A third run finds nothing to do.
  const third = await runCli(args, env);
  assert.equal(third.code, 0);
  assert.match(third.stdout, /sent 0,/);
  assert.equal(smtp.messages.length, SUBSCRIBERS);
});
