/** Digests over real SMTP: content, idempotency, unsubscribe, retries, bounces, racing workers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mailBench, linkIn, type MailBench } from './support/mail.ts';
import { paperRecord, seedFeatured } from './support/db.ts';
import { freePort, startSmtp } from './support/smtp.ts';
import { openDatabase } from '../src/storage/db.ts';
import { upsertPapers } from '../src/storage/papers-repo.ts';
import { findSubscriberByEmail, insertPendingSubscriber } from '../src/storage/subscriptions-repo.ts';
import { drainOutbox } from '../src/mail/sender.ts';
import { smtpTransport } from '../src/mail/transport.ts';
import { outboxCounts } from '../src/mail/outbox.ts';
import { mailKysely } from '../src/storage/mail-migrations.ts';

const FORM = 'application/x-www-form-urlencoded';
const DAY = 86_400_000;

/** Headers as one line each (RFC 5322 folding undone). */
function unfold(raw: string): string {
  return raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
}

/** Twelve papers featured today with trending scores 12..1, two yesterday, one long ago. */
async function seedTrending(b: MailBench) {
  const today = Array.from({ length: 12 }, (_, i) => paperRecord({ title: `Trending paper number ${i + 1}`, abstract: `First sentence of paper ${i + 1}. Second sentence. Third one is long.` }));
  const yesterday = [paperRecord({ title: 'Yesterday paper A' }), paperRecord({ title: 'Yesterday paper B' })];
  const old = paperRecord({ title: 'Old paper from March 1' });
  await seedFeatured(b.db, [
    ...today.map((record) => ({ record, day: '2025-03-12' })),
    ...yesterday.map((record) => ({ record, day: '2025-03-11' })),
    { record: old, day: '2025-03-01' },
  ]);
  for (const [i, r] of today.entries()) await b.db.kysely.updateTable('papers').set({ trending_score: 100 - i, upvotes: 12 - i }).where('id', '=', r.id).execute();
  return { today, yesterday, old };
}

/** Papers new to the index (not featured) for the topic section. */
async function seedTopicPapers(b: MailBench) {
  const kv = paperRecord({ title: 'Lossless KV Cache Compression for Long Contexts', abstract: 'We compress the KV cache.', categories: ['cs.LG'] });
  const kvOnly = paperRecord({ title: 'A study of the KV cache', abstract: 'No squeezing here.', categories: ['cs.LG'] });
  const rag = paperRecord({ title: 'Dense Retrieval at Scale', abstract: 'Retrieval for question answering.', categories: ['cs.CL', 'cs.IR'] });
  const ragWrongCat = paperRecord({ title: 'Retrieval of images', abstract: 'Image retrieval.', categories: ['cs.CV'] });
  await upsertPapers(b.db, [kv, kvOnly, rag, ragWrongCat], '2025-03-12T06:00:00.000Z');
  return { kv, kvOnly, rag, ragWrongCat };
}

test('the digest: top trending of the period, then new papers per topic; HTML + text; RFC 8058 headers; once per period', async (t) => {
  const b = await mailBench(t);
  const { today, yesterday, old } = await seedTrending(b);
  const topics = await seedTopicPapers(b);
  await b.subscribe('plain@example.org');
  await b.subscribe('topical@example.org', { topics: ['"KV cache" compression', 'cat:cs.CL retrieval'] });
  await b.subscribe('weekly@example.org', { frequency: 'weekly' });
  await insertPendingSubscriber(b.db, { email: 'pending@example.org', frequency: 'daily', topics: [], now: b.clock.now.toISOString() });

  const { run, rendered } = await b.digest();
  assert.equal(run.period, 'daily:2025-03-12');
  assert.equal(rendered!.queued, 2, 'the two confirmed daily subscribers; not the pending one, not the weekly one');
  const stats = await b.drain();
  assert.equal(stats.sent, 2);
  assert.equal(b.smtp.to('pending@example.org').length, 0, 'an unconfirmed address gets no digest');
  assert.equal(b.smtp.to('weekly@example.org').length, 0);

  const plain = await b.smtp.parse(b.smtp.to('plain@example.org')[0]);
  assert.equal(plain.subject, 'Daily Papers · Mar 12 · Trending paper number 1 and 9 more');
  const html = String(plain.html);
  const text = plain.text!;
  const order = today.slice(0, 10).map((p) => html.indexOf(`>${p.title}</a>`));
  assert.ok(order.every((i) => i > 0), 'the top ten are in the HTML');
  assert.deepEqual([...order].sort((x, y) => x - y), order, 'in trending order');
  for (const p of [...today.slice(10), ...yesterday, old]) assert.ok(!html.includes(p.title), `${p.title} is not in the top ten`);
  for (const p of today.slice(0, 10)) {
    assert.ok(text.includes(p.title), 'the text alternative has every paper');
    assert.ok(text.includes(`${b.config.baseUrl}/papers/${p.id}`) && text.includes(`https://arxiv.org/abs/${p.id}`));
  }
  assert.match(text, /Ada Lovelace, Alan Turing/);
  assert.match(text, /First sentence of paper 1\. Second sentence\./);
  assert.doesNotMatch(html, /New in your topics/);
  assert.match(html, /<meta name="color-scheme" content="light dark">/);
  assert.match(html, /prefers-color-scheme: dark/);

  const raw = unfold(b.smtp.to('plain@example.org')[0].raw);
  assert.match(raw, /^List-Unsubscribe: <http:\/\/localhost:3000\/unsubscribe\?token=[^>\s]+>\r?$/m);
  assert.match(raw, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
  assert.match(plain.messageId!, /^<digest\.\d+\.daily\.2025-03-12@localhost>$/);

  const topical = await b.smtp.parse(b.smtp.to('topical@example.org')[0]);
  assert.equal(topical.subject, 'Daily Papers · Mar 12 · Trending paper number 1 and 11 more');
  const th = String(topical.html);
  assert.ok(th.indexOf('New in your topics') > th.indexOf(today[9].title), 'topics come after trending');
  assert.ok(th.includes(topics.kv.title) && th.includes(topics.rag.title));
  assert.ok(!th.includes(topics.kvOnly.title) && !th.includes(topics.ragWrongCat.title));
  assert.match(topical.text!, /NEW IN YOUR TOPICS/);

  // The same period again: nothing new is queued, nobody gets a second copy.
  const again = await b.digest();
  assert.equal(again.rendered, null);
  assert.equal((await b.drain()).sent, 0);
  assert.equal(b.smtp.messages.length, 2);

  // The next day with nothing featured and nothing added: no email at all, not an empty one.
  b.clock.now = new Date(b.clock.now.getTime() + DAY);
  const quiet = await b.digest();
  assert.equal(quiet.rendered!.queued, 0);
  assert.equal(quiet.rendered!.nothingNew, 2);

  // The day after, one paper: only it, no "and N more".
  b.clock.now = new Date(b.clock.now.getTime() + DAY);
  const fresh = paperRecord({ title: 'The only new paper' });
  await seedFeatured(b.db, [{ record: fresh, day: '2025-03-14' }]);
  assert.equal((await b.digest()).rendered!.queued, 2);
  await b.drain();
  const last = await b.smtp.parse(b.smtp.to('plain@example.org')[1]);
  assert.equal(last.subject, 'Daily Papers · Mar 14 · The only new paper');
  assert.ok(!String(last.html).includes(today[0].title), 'yesterday’s papers are not repeated');
});

test('one-click unsubscribe (RFC 8058 POST) and the footer link page', async (t) => {
  const b = await mailBench(t);
  await seedTrending(b);
  await b.subscribe('one@example.org');
  await b.subscribe('two@example.org');
  await b.digest();
  await b.drain();

  const url = /^List-Unsubscribe: <([^>]+)>/m.exec(unfold(b.smtp.to('one@example.org')[0].raw))![1];
  const res = await b.app.request(new URL(url).pathname + new URL(url).search, { method: 'POST', headers: { 'content-type': FORM }, body: 'List-Unsubscribe=One-Click' });
  assert.equal(res.status, 200);
  assert.doesNotMatch(res.headers.get('content-type') ?? '', /html/);
  assert.equal((await findSubscriberByEmail(b.db, 'one@example.org'))!.status, 'unsubscribed');

  // The footer link opens a page that asks; opening it changes nothing.
  const two = await b.smtp.parse(b.smtp.to('two@example.org')[0]);
  const footer = linkIn(two.text!, `${b.config.baseUrl}/unsubscribe?token=`);
  assert.equal(linkIn(String(two.html), `${b.config.baseUrl}/unsubscribe?token=`), footer);
  const path = new URL(footer).pathname + new URL(footer).search;
  const page = await b.app.request(path);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /Stop sending the daily digest to <strong>two@example.org<\/strong>/);
  assert.match(html, /Switch to weekly/);
  assert.equal((await findSubscriberByEmail(b.db, 'two@example.org'))!.status, 'confirmed');
  const done = await b.app.request(path, { method: 'POST', headers: { 'content-type': FORM }, body: 'action=unsubscribe' });
  assert.equal(done.status, 200);
  assert.match(await done.text(), /Resubscribe weekly/);
  assert.equal((await findSubscriberByEmail(b.db, 'two@example.org'))!.status, 'unsubscribed');
  const back = await b.app.request(path, { method: 'POST', headers: { 'content-type': FORM }, body: 'action=resubscribe&frequency=weekly' });
  assert.equal(back.status, 200);
  const two2 = await findSubscriberByEmail(b.db, 'two@example.org');
  assert.equal(two2!.status, 'confirmed');
  assert.equal(two2!.frequency, 'weekly');

  // Unsubscribed after rendering, before sending: the queued digest is never sent.
  b.clock.now = new Date(b.clock.now.getTime() + DAY);
  await b.subscribe('three@example.org');
  await seedFeatured(b.db, [{ record: paperRecord(), day: '2025-03-13' }]);
  await b.digest();
  const three = await findSubscriberByEmail(b.db, 'three@example.org');
  const { signToken } = await import('../src/mail/tokens.ts');
  await b.app.request(`/unsubscribe?token=${signToken(b.config.secret, 'unsubscribe', three!.id, three!.email, null)}`, { method: 'POST', headers: { 'content-type': FORM }, body: 'List-Unsubscribe=One-Click' });
  await b.drain();
  assert.equal(b.smtp.to('three@example.org').length, 0);
  assert.equal(b.smtp.to('one@example.org').length, 1, 'one-click unsubscribed: no second digest');
});

test('SMTP down, then up: retried with backoff and delivered later, nothing lost', async (t) => {
  const b = await mailBench(t, { settings: { retryBaseMs: 60_000 } });
  await seedTrending(b);
  for (let i = 0; i < 5; i++) await b.subscribe(`r${i}@example.org`);
  await b.digest();
  const port = await freePort();
  const transport = smtpTransport(`smtp://127.0.0.1:${port}`, { concurrency: 2 });
  t.after(() => transport.close());
  const drain = () => drainOutbox({ db: b.db, config: b.config, settings: b.settings, transport, now: () => b.clock.now });

  const down = await drain();
  assert.equal(down.sent, 0);
  assert.equal(down.retried, 5);
  const rows = await mailKysely(b.db.kysely).selectFrom('outbox').selectAll().execute();
  assert.ok(rows.every((r) => r.status === 'queued' && r.attempts === 1 && /ECONNREFUSED|ECONNECTION|ESOCKET/.test(r.last_error ?? '')), JSON.stringify(rows.map((r) => r.last_error)));

  const smtp = await startSmtp({ port });
  t.after(() => smtp.close());
  assert.equal((await drain()).sent, 0, 'not due yet: backoff');
  b.clock.now = new Date(b.clock.now.getTime() + 2 * 60_000);
  const up = await drain();
  assert.equal(up.sent, 5);
  assert.equal(smtp.messages.length, 5);
  assert.equal(new Set(smtp.messages.map((m) => m.to[0])).size, 5);
});

test('5xx bounces the address after N tries and suppresses it; 4xx is only retried', async (t) => {
  let busy = 0;
  const b = await mailBench(t, {
    settings: { bounceAfter: 3, retryBaseMs: 1000 },
    smtp: {
      rcpt: (addr) => {
        if (addr === 'gone@example.org') return { code: 550, message: '5.1.1 No such user' };
        if (addr === 'busy@example.org' && busy++ < 2) return { code: 451, message: '4.7.1 Try again later' };
      },
    },
  });
  await seedTrending(b);
  await b.subscribe('gone@example.org');
  await b.subscribe('busy@example.org');
  await b.subscribe('fine@example.org');
  await b.digest();
  let bounced = 0;
  for (let i = 0; i < 4; i++) {
    bounced += (await b.drain()).bounced;
    b.clock.now = new Date(b.clock.now.getTime() + 10 * 60_000);
  }
  assert.equal(bounced, 1);
  const gone = await findSubscriberByEmail(b.db, 'gone@example.org');
  assert.equal(gone!.status, 'bounced');
  assert.equal(b.smtp.rcpts.filter((r) => r === 'gone@example.org').length, 3, 'tried exactly N times');
  assert.equal((await findSubscriberByEmail(b.db, 'busy@example.org'))!.status, 'confirmed');
  assert.equal(b.smtp.to('busy@example.org').length, 1);
  assert.equal(b.smtp.to('fine@example.org').length, 1);

  // Suppressed from then on: no digest, and a new subscription request sends nothing either.
  b.clock.now = new Date(b.clock.now.getTime() + DAY);
  await seedFeatured(b.db, [{ record: paperRecord(), day: '2025-03-13' }]);
  await b.digest();
  await b.app.request('/api/subscriptions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'gone@example.org' }) });
  await b.drain();
  assert.equal(b.smtp.rcpts.filter((r) => r === 'gone@example.org').length, 3);
  assert.equal(b.smtp.to('fine@example.org').length, 2);
});

test('two workers racing over one outbox: each subscriber gets exactly one digest', async (t) => {
  const b = await mailBench(t, { settings: { concurrency: 4 } });
  await seedTrending(b);
  for (let i = 0; i < 150; i++) await b.subscribe(`race${i}@example.org`);
  await b.digest();
  const other = await openDatabase(b.file);
  t.after(() => other.close());
  const transport2 = smtpTransport(b.smtp.url, { concurrency: 4 });
  t.after(() => transport2.close());
  const [s1, s2] = await Promise.all([b.drain(), drainOutbox({ db: other, config: b.config, settings: b.settings, transport: transport2, now: () => b.clock.now })]);
  assert.equal(s1.sent + s2.sent, 150);
  assert.ok(s1.sent > 0 && s2.sent > 0, `both worked: ${s1.sent} + ${s2.sent}`);
  assert.equal(b.smtp.messages.length, 150);
  assert.equal(new Set(b.smtp.messages.map((m) => m.to[0])).size, 150);
  assert.deepEqual(await outboxCounts(b.db), { queued: 0, sending: 0, sent: 150, failed: 0, suppressed: 0 });
});
