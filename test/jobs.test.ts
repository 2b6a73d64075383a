/**
 * Background jobs: the in-process queue's semantics (SQLite), and on a real PostgreSQL two
 * `dailypapers worker` processes sharing one graphile-worker queue, a digest reaching each
 * subscriber exactly once over real SMTP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN, ROOT, runCli, startServer, waitForExit } from './support/cli.ts';
import { freshDb, paperRecord, seedFeatured } from './support/db.ts';
import { startSmtp } from './support/smtp.ts';
import { createPgDatabase, TEST_PG_URL } from './support/pg.ts';
import { testConfig } from '../src/config.ts';
import { openDatabase, type Db } from '../src/storage/db.ts';
import { mailSettings } from '../src/mail/settings.ts';
import { smtpTransport } from '../src/mail/transport.ts';
import { outboxCounts } from '../src/mail/outbox.ts';
import { confirmSubscriber, insertPendingSubscriber } from '../src/storage/subscriptions-repo.ts';
import { GraphileQueue, InlineQueue, jobHandlers, jobsMode, type JobInfo, type JobName } from '../src/jobs/index.ts';
import { zonedMatcher } from '../src/jobs/graphile.ts';

const NEEDS_PG = !TEST_PG_URL && 'needs TEST_DATABASE_URL (a postgres:// admin URL of a throwaway cluster)';
const NOW = '2025-03-12T12:00:00Z';
const errors: unknown[] = [];
const quiet = { debug() {}, info() {}, warn() {}, error: (o: object) => void errors.push(o) };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Test-only task names: the queue runs whatever handlers it is given.
const T = (name: string) => name as JobName;

test('in-process queue: a jobKey enqueued twice while waiting runs once, with the last payload', async () => {
  const q = new InlineQueue(quiet);
  const seen: unknown[] = [];
  await q.enqueue(T('t.count'), { n: 1 } as never, { jobKey: 'k' });
  await q.enqueue(T('t.count'), { n: 2 } as never, { jobKey: 'k' });
  await q.enqueue(T('t.count'), { n: 3 } as never);
  assert.equal(q.size(), 2);
  await q.runOnce({ 't.count': async (p) => void seen.push(p) });
  assert.deepEqual(seen, [{ n: 2 }, { n: 3 }]);
  assert.equal(q.size(), 0);
});

test('in-process queue: concurrency bound, runAt, retries until maxAttempts, graceful stop', async () => {
  const q = new InlineQueue(quiet, { retryDelayMs: () => 20 });
  let running = 0;
  let peak = 0;
  const order: string[] = [];
  let flaky = 0;
  const handlers = {
    async 't.slow'(p: { id: string }) {
      running++;
      peak = Math.max(peak, running);
      await sleep(30);
      running--;
      order.push(p.id);
    },
    async 't.flaky'() {
      if (++flaky < 3) throw new Error('not yet');
    },
    async 't.broken'() {
      throw new Error('always');
    },
  };
  await q.start(handlers, { concurrency: 2 });
  const later = Date.now() + 150;
  await q.enqueue(T('t.slow'), { id: 'late' } as never, { runAt: new Date(later) });
  for (const id of ['a', 'b', 'c', 'd']) await q.enqueue(T('t.slow'), { id } as never);
  await q.enqueue(T('t.flaky'), {} as never, { maxAttempts: 5 });
  errors.length = 0;
  await q.enqueue(T('t.broken'), {} as never, { maxAttempts: 2 });
  await sleep(40);
  await q.idle();
  // `late` was not due until the others were done: wait for it.
  while (!order.includes('late')) await sleep(20);
  assert.equal(peak, 2, 'never more than `concurrency` at once');
  assert.deepEqual(order.slice(0, 4).sort(), ['a', 'b', 'c', 'd']);
  assert.equal(order.at(-1), 'late');
  assert.ok(Date.now() >= later);
  assert.equal(flaky, 3, 'retried until it succeeded');
  assert.equal(errors.length, 1, 'the broken job gave up after maxAttempts and said so');

  // stop() lets a running job finish.
  let finished = false;
  await q.stop();
  await q.enqueue(T('t.long'), {} as never);
  assert.equal(q.size(), 1, 'a stopped queue keeps what is enqueued');
  const h2 = { ...handlers, 't.long': async () => void (await sleep(80), (finished = true)) };
  await q.start(h2, { concurrency: 1 });
  await sleep(10);
  await q.stop();
  assert.ok(finished, 'stop waited for the running job');
});

test('in-process queue: schedules enqueue coalesced ticks and stop with the queue', async () => {
  const q = new InlineQueue(quiet);
  const ticks: JobInfo[] = [];
  // croner accepts seconds: a tick every second, so the test need not wait a minute.
  await q.start({ 't.tick': async (_p, job) => void ticks.push(job) }, { schedules: [{ identifier: 'tick', task: T('t.tick'), cron: '* * * * * *' }] });
  await sleep(2200);
  await q.stop();
  const n = ticks.length;
  assert.ok(n >= 1 && n <= 3, `ticks: ${n}`);
  assert.equal(ticks[0].key, 'cron:tick');
  assert.ok(ticks[0].scheduledAt instanceof Date);
  await sleep(1200);
  assert.equal(ticks.length, n, 'no tick after stop');
});

test('JOBS: inline on SQLite, worker on PostgreSQL, unless set; digest cron in DIGEST_TZ', () => {
  assert.equal(jobsMode({}, { dialect: 'sqlite' }), 'inline');
  assert.equal(jobsMode({}, { dialect: 'postgres' }), 'worker');
  assert.equal(jobsMode({ JOBS: 'inline' }, { dialect: 'postgres' }), 'inline');
  assert.equal(jobsMode({ JOBS: 'worker' }, { dialect: 'sqlite' }), 'worker');
  assert.throws(() => jobsMode({ JOBS: 'both' }, { dialect: 'sqlite' }), /JOBS must be/);
  // 07:00 in Paris is 06:00 UTC in winter, 05:00 in summer; graphile-worker hands over UTC minutes.
  const m = zonedMatcher('0 7 * * *', 'Europe/Paris');
  const now = new Date();
  const y = now.getUTCFullYear();
  const jan = { min: 0, hour: 6, date: 15, month: 1 };
  const jul = { min: 0, hour: 5, date: 15, month: 7 };
  // Only "near now" is meaningful to the matcher: pick the month nearest to today.
  const winter = Math.abs(Date.UTC(y, 0, 15) - now.getTime()) < Math.abs(Date.UTC(y, 6, 15) - now.getTime());
  assert.equal(m(winter ? jan : jul), true);
  assert.equal(m(winter ? { ...jan, hour: 7 } : { ...jul, hour: 7 }), false);
});

async function seedDigest(db: Db, subscribers: number): Promise<string[]> {
  await seedFeatured(db, Array.from({ length: 4 }, () => ({ record: paperRecord(), day: '2025-03-12' })));
  const emails: string[] = [];
  for (let i = 0; i < subscribers; i++) {
    const email = `j${i}@example.org`;
    const s = await insertPendingSubscriber(db, { email, frequency: 'daily', topics: [], now: '2025-03-11T00:00:00Z' });
    await confirmSubscriber(db, s.id, '2025-03-11T00:00:00Z', null);
    emails.push(email);
  }
  return emails;
}

test('digest.send twice at once on the in-process queue: each subscriber gets one digest', async (t) => {
  const f = await freshDb();
  t.after(() => f.cleanup());
  const emails = await seedDigest(f.db, 12);
  const smtp = await startSmtp();
  t.after(() => smtp.close());
  const settings = mailSettings({ rate: 0, concurrency: 2, digestCron: null });
  const config = testConfig({ dataDir: f.dir, smtpUrl: smtp.url });
  const transport = smtpTransport(smtp.url, { concurrency: 2 });
  t.after(() => transport.close());
  const q = new InlineQueue(quiet);
  await q.start(jobHandlers({ db: f.db, config, settings, transport, log: quiet, queue: q }), { concurrency: 2 });
  await q.enqueue('digest.send', { frequency: 'daily', now: NOW });
  await q.enqueue('digest.send', { frequency: 'daily', now: NOW });
  await q.idle();
  await q.stop();
  assert.deepEqual(smtp.messages.map((m) => m.to[0]).sort(), [...emails].sort());
  assert.equal((await outboxCounts(f.db)).sent, emails.length);
});

test('dailypapers worker --enqueue digest.send --once sends the digest from this process', { timeout: 60_000 }, async (t) => {
  const f = await freshDb();
  t.after(() => f.cleanup());
  const emails = await seedDigest(f.db, 5);
  const smtp = await startSmtp();
  t.after(() => smtp.close());
  const env = { SMTP_URL: smtp.url, SECRET: 'test-secret', MAIL_RATE: '0', DIGEST_CRON: 'off', LOG_LEVEL: 'warn' };
  const r = await runCli(['worker', '--db', f.url, '--enqueue', 'digest.send', '--payload', JSON.stringify({ frequency: 'daily', now: NOW }), '--once'], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /queued digest\.send/);
  assert.deepEqual(smtp.messages.map((m) => m.to[0]).sort(), [...emails].sort());
  if (!TEST_PG_URL) {
    const bad = await runCli(['worker', '--db', f.url, '--enqueue', 'digest.send'], env);
    assert.equal(bad.code, 2, 'on SQLite a job enqueued for another process would be lost');
    assert.match(bad.stderr, /--once/);
  }
});

test('PostgreSQL: a job enqueued twice with one jobKey runs once', { skip: NEEDS_PG, timeout: 60_000 }, async (t) => {
  const pgdb = await createPgDatabase('dp_jobs');
  t.after(() => pgdb.drop());
  const db = await openDatabase(pgdb.url);
  t.after(() => db.close());
  const q = new GraphileQueue(db.pg!, quiet);
  t.after(() => q.stop());
  const seen: unknown[] = [];
  await q.enqueue(T('t.count'), { n: 1 } as never, { jobKey: 'once' });
  await q.enqueue(T('t.count'), { n: 2 } as never, { jobKey: 'once' });
  await q.enqueue(T('t.count'), { n: 3 } as never, { jobKey: 'other' });
  await q.runOnce({ 't.count': async (p) => void seen.push(p) });
  assert.deepEqual(
    seen.sort((a, b) => (a as { n: number }).n - (b as { n: number }).n),
    [{ n: 2 }, { n: 3 }],
  );
  const left = await db.pg!.query('select count(*)::int as n from graphile_worker._private_jobs');
  assert.equal(left.rows[0].n, 0);
});

function startWorker(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'worker', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${out}`)), 60_000);
    child.stdout!.on('data', (d) => {
      out += d;
      if (/worker ready/.test(out)) {
        clearTimeout(timer);
        resolve({ child, output: () => out });
      }
    });
    child.stderr!.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code} before it was ready:\n${out}`));
    });
  });
}

/** The `digest job done` log lines of one worker. */
function digestRuns(output: string): { sent: number }[] {
  return output
    .split('\n')
    .filter((l) => l.includes('"digest job done"'))
    .map((l) => JSON.parse(l) as { sent: number });
}

test('PostgreSQL: two worker processes, one digest sent by both: each subscriber gets it exactly once', { skip: NEEDS_PG, timeout: 120_000 }, async (t) => {
  const SUBSCRIBERS = 30;
  const pgdb = await createPgDatabase('dp_jobs');
  t.after(() => pgdb.drop());
  const db = await openDatabase(pgdb.url);
  t.after(() => db.close());
  const emails = await seedDigest(db, SUBSCRIBERS);
  // Each message takes a little while, so that both workers are delivering at the same time.
  const smtp = await startSmtp({ rcpt: async () => void (await sleep(25)) });
  t.after(() => smtp.close());

  const env = { SMTP_URL: smtp.url, SECRET: 'test-secret', MAIL_RATE: '0', MAIL_CONCURRENCY: '3', DIGEST_CRON: 'off', LOG_LEVEL: 'info' };
  // Started together: both install graphile-worker's schema at once (serialised by an advisory lock).
  const workers = await Promise.all([startWorker(['--db', pgdb.url, '--concurrency', '2'], env), startWorker(['--db', pgdb.url, '--concurrency', '2'], env)]);
  t.after(() => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
  });

  // Four jobs for the same period, more than one worker's slots: both workers render and drain it.
  const q = new GraphileQueue(db.pg!, quiet);
  for (let i = 0; i < 4; i++) await q.enqueue('digest.send', { frequency: 'daily', now: NOW });
  await q.stop();

  await smtp.waitFor(SUBSCRIBERS, 60_000);
  for (const until = Date.now() + 30_000; ; await sleep(100)) {
    const left = await db.pg!.query(`select count(*)::int as n from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id where t.identifier = 'digest.send'`);
    if (left.rows[0].n === 0) break;
    if (Date.now() > until) assert.fail('digest jobs still queued');
  }
  await sleep(300); // a duplicate, were there one, would arrive now

  const recipients = smtp.messages.map((m) => m.to[0]).sort();
  assert.equal(recipients.length, SUBSCRIBERS, 'one message per subscriber');
  assert.deepEqual(recipients, [...emails].sort(), 'nobody missed, nobody twice');
  const parsed = await smtp.parse(smtp.messages[0]);
  assert.match(parsed.subject ?? '', /Daily Papers · Mar 12/);
  assert.deepEqual(await outboxCounts(db), { queued: 0, sending: 0, sent: SUBSCRIBERS, failed: 0, suppressed: 0 });

  const runs = workers.map((w) => digestRuns(w.output()));
  assert.equal(runs[0].length + runs[1].length, 4, 'four digest jobs, each run once');
  const sent = runs.map((r) => r.reduce((s, x) => s + x.sent, 0));
  assert.equal(sent[0] + sent[1], SUBSCRIBERS);
  assert.ok(sent[0] > 0 && sent[1] > 0, `both workers delivered (${sent.join(' + ')})`);

  // SIGTERM: both stop cleanly.
  for (const w of workers) w.child.kill('SIGTERM');
  assert.deepEqual(await Promise.all(workers.map((w) => waitForExit(w.child))), [0, 0]);
});

test('PostgreSQL: serve (JOBS=worker by default) leaves mail to a worker, woken at once by a confirmation', { skip: NEEDS_PG, timeout: 120_000 }, async (t) => {
  const pgdb = await createPgDatabase('dp_jobs');
  t.after(() => pgdb.drop());
  const smtp = await startSmtp();
  t.after(() => smtp.close());
  // No SECRET: the worker must sign with the database's shared secret, or the link fails on serve.
  const env = { SMTP_URL: smtp.url, SECRET: '', MAIL_RATE: '0', DIGEST_CRON: 'off', LOG_LEVEL: 'info' };
  const worker = await startWorker(['--db', pgdb.url], env);
  const server = await startServer(['--db', pgdb.url, '--no-sample'], env);
  t.after(async () => {
    for (const c of [server.child, worker.child]) if (c.exitCode === null) c.kill('SIGTERM');
    await Promise.all([waitForExit(server.child), waitForExit(worker.child)]);
  });
  assert.match(server.output(), /background jobs are left to `dailypapers worker`/);
  const t0 = Date.now();
  const res = await fetch(`${server.url}/api/subscriptions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'pg@example.org' }) });
  assert.equal(res.status, 202);
  await smtp.waitFor(1, 30_000);
  assert.deepEqual(smtp.messages[0].to, ['pg@example.org']);
  // The worker's own outbox schedule ticks once a minute; this came by the serve's NOTIFY.
  assert.ok(Date.now() - t0 < 10_000, `confirmation after ${Date.now() - t0} ms`);
  // Logged once the delivery is recorded, a moment after the SMTP server has the message.
  for (const until = Date.now() + 10_000; !/"task":"outbox.drain"/.test(worker.output()) && Date.now() < until; ) await sleep(50);
  assert.match(worker.output(), /"task":"outbox.drain"/);
  const text = (await smtp.parse(smtp.messages[0])).text ?? '';
  const link = /http:\/\/localhost:\d+\/subscribe\/confirm\?token=\S+/.exec(text);
  assert.ok(link, text);
  assert.equal((await fetch(link[0].replace(/^http:\/\/localhost:\d+/, server.url))).status, 200, 'the link the worker signed verifies on serve');
});
