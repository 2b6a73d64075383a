/** Mail inside `serve`: the schedule, the outbox worker, and `.eml` files when no SMTP is configured. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { freshDb, paperRecord, seedFeatured } from './support/db.ts';
import { startServer, waitForExit } from './support/cli.ts';
import { testConfig } from '../src/config.ts';
import { mailSettings } from '../src/mail/settings.ts';
import { startMailService } from '../src/mail/scheduler.ts';
import { confirmSubscriber, insertPendingSubscriber, findSubscriberByEmail } from '../src/storage/subscriptions-repo.ts';
import { mailKysely } from '../src/storage/mail-migrations.ts';

const quiet = { info() {}, warn() {}, error() {} };

async function emlFiles(dir: string, count: number, timeoutMs = 15_000): Promise<string[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.eml')) : [];
    if (files.length >= count) return files.sort().map((f) => path.join(dir, f));
    if (Date.now() > until) throw new Error(`expected ${count} .eml files in ${dir}, found ${files.length}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('the scheduled run renders daily (and weekly on its day) and the worker writes .eml files without SMTP', async (t) => {
  const f = await freshDb();
  t.after(() => f.cleanup());
  const config = testConfig({ dataDir: f.dir, smtpUrl: null });
  await seedFeatured(f.db, [{ record: paperRecord({ title: 'Monday paper' }), day: '2025-03-10' }]);
  for (const [email, frequency] of [['d@example.org', 'daily'], ['w@example.org', 'weekly']] as const) {
    const s = await insertPendingSubscriber(f.db, { email, frequency, topics: [], now: '2025-03-01T00:00:00Z' });
    await confirmSubscriber(f.db, s.id, '2025-03-01T00:00:00Z', null);
  }
  let now = new Date('2025-03-10T07:00:00Z'); // a Monday
  const svc = startMailService({ db: f.db, config, settings: mailSettings({ digestCron: null, weeklyDay: 1, rate: 0 }), now: () => now, log: quiet });
  t.after(() => svc.stop());
  await svc.runDigests();
  const files = await emlFiles(path.join(f.dir, 'outbox'), 2);
  const subjects = await Promise.all(files.map(async (file) => (await simpleParser(fs.readFileSync(file))).subject));
  assert.deepEqual(subjects.sort(), ['Daily Papers · Mar 10 · Monday paper', 'Daily Papers · Week of Mar 4 · Monday paper']);
  const periods = await mailKysely(f.db.kysely).selectFrom('digest_runs').select('period').orderBy('period').execute();
  assert.deepEqual(periods.map((p) => p.period), ['daily:2025-03-10', 'weekly:2025-W11']);

  // DIGEST_SKIP_WEEKENDS: Saturday renders nothing; Monday's daily covers the weekend's papers.
  const weekend = startMailService({ db: f.db, config, settings: mailSettings({ digestCron: null, skipWeekends: true, rate: 0 }), now: () => now, log: quiet });
  t.after(() => weekend.stop());
  now = new Date('2025-03-15T07:00:00Z');
  await seedFeatured(f.db, [{ record: paperRecord({ title: 'Saturday paper' }), day: '2025-03-15' }]);
  await weekend.runDigests();
  assert.equal((await mailKysely(f.db.kysely).selectFrom('digest_runs').select('period').where('period', '=', 'daily:2025-03-15').execute()).length, 0);
  now = new Date('2025-03-17T07:00:00Z');
  await weekend.runDigests();
  const monday = await emlFiles(path.join(f.dir, 'outbox'), 3);
  const texts = await Promise.all(monday.map(async (file) => (await simpleParser(fs.readFileSync(file))).subject ?? ''));
  assert.ok(texts.includes('Daily Papers · Mar 17 · Saturday paper'), texts.join('\n'));
});

test('npm start: a subscription request becomes a .eml confirmation in <data>/outbox; its link confirms', { timeout: 90_000 }, async (t) => {
  const f = await freshDb();
  await f.db.close();
  t.after(() => fs.rmSync(f.dir, { recursive: true, force: true }));
  // JOBS=inline: on PostgreSQL `serve` would otherwise leave the confirmation to a worker.
  const server = await startServer(['--db', f.file, '--no-sample'], { DIGEST_CRON: 'off', SECRET: 'serve-secret', SMTP_URL: '', JOBS: 'inline', DATA_DIR: f.dir });
  t.after(async () => {
    server.child.kill('SIGTERM');
    await waitForExit(server.child);
  });
  const res = await fetch(`${server.url}/api/subscriptions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'laptop@example.org' }) });
  assert.equal(res.status, 202);
  const [file] = await emlFiles(path.join(f.dir, 'outbox'), 1);
  const mail = await simpleParser(fs.readFileSync(file));
  assert.equal(mail.to && !Array.isArray(mail.to) ? mail.to.text : '', 'laptop@example.org');
  const link = /http:\/\/localhost:\d+\/subscribe\/confirm\?token=\S+/.exec(mail.text!)![0];
  assert.equal(new URL(link).origin, new URL(server.url).origin, 'with --port 0, links name the port actually used');
  const page = await fetch(link);
  assert.equal(page.status, 200);
  server.child.kill('SIGTERM');
  assert.equal(await waitForExit(server.child), 0, server.output());
  const { openDatabase } = await import('../src/storage/db.ts');
  const db = await openDatabase(f.file);
  t.after(() => db.close());
  assert.equal((await findSubscriberByEmail(db, 'laptop@example.org'))!.status, 'confirmed');
});
