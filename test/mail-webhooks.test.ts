/** Topic webhooks through the outbox, against a local HTTP receiver. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mailBench } from './support/mail.ts';
import { paperRecord } from './support/db.ts';
import { anonymousForm, formBody } from './support/community.ts';
import { upsertPapers } from '../src/storage/papers-repo.ts';
import { findSubscriber, listWebhooks } from '../src/storage/subscriptions-repo.ts';
import { addWebhook } from '../src/services/subscriptions.ts';
import { deliverWebhook, isPrivateAddress } from '../src/mail/webhooks.ts';
import { signToken } from '../src/mail/tokens.ts';
import { mailKysely } from '../src/storage/mail-migrations.ts';

interface Hit {
  path: string;
  body: any;
  type: string;
}

async function receiver(t: import('node:test').TestContext) {
  const hits: Hit[] = [];
  let flaky = 0;
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (d) => (data += d));
    req.on('end', () => {
      hits.push({ path: req.url!, body: JSON.parse(data), type: req.headers['content-type'] ?? '' });
      if (req.url === '/slow') return; // never answers: the sender's timeout ends it
      if (req.url === '/flaky' && flaky++ === 0) return res.writeHead(503).end();
      if (req.url === '/gone') return res.writeHead(404).end();
      if (req.url === '/moved') return res.writeHead(302, { location: 'http://169.254.169.254/' }).end();
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.after(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  const url = (p: string) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${p}`;
  // fetch loads lazily: a first call on a busy machine can outlast a short delivery timeout.
  await (await fetch(url('/warmup'), { method: 'POST', body: '{}' })).text();
  hits.length = 0;
  return { hits, url };
}

test('webhooks receive the topic batch as Slack, Discord or generic JSON, with retries, a timeout, and disabling', async (t) => {
  const b = await mailBench(t, { settings: { webhookAllowPrivate: true, webhookTimeoutMs: 2000, bounceAfter: 2, retryBaseMs: 1000 } });
  const r = await receiver(t);
  const id = await b.subscribe('hooks@example.org', { topics: ['"KV cache" compression'] });
  const sub = (await findSubscriber(b.db, id))!;
  const now = b.clock.now;
  await addWebhook(b.db, sub, { topic: '"KV cache" compression', url: r.url('/slack'), kind: 'slack' }, now);
  await addWebhook(b.db, sub, { topic: '"KV cache" compression', url: r.url('/discord'), kind: 'discord' }, now);
  await addWebhook(b.db, sub, { topic: '"KV cache" compression', url: r.url('/json') }, now);
  await addWebhook(b.db, sub, { topic: '"KV cache" compression', url: r.url('/flaky') }, now);
  await addWebhook(b.db, sub, { topic: '"KV cache" compression', url: r.url('/slow') }, now);
  await addWebhook(b.db, sub, { topic: 'nothing matches this', url: r.url('/never') }, now);
  await upsertPapers(b.db, [paperRecord({ id: '2503.55555', title: 'Lossless KV Cache Compression', abstract: 'We compress the KV cache. Losslessly.' })], '2025-03-12T06:00:00.000Z');

  const { rendered } = await b.digest();
  assert.equal(rendered!.webhooks, 5, 'the topic with nothing new sends nothing');
  const first = await b.drain();
  assert.equal(first.sent, 1 + 3, `the digest email and three webhooks: ${JSON.stringify(first)} ${JSON.stringify(await mailKysely(b.db.kysely).selectFrom("outbox").select(["recipient", "status", "last_error"]).execute())}`);
  assert.equal(first.retried, 2, 'the 503 and the timeout are retried');

  const slack = r.hits.find((h) => h.path === '/slack')!;
  assert.equal(slack.type, 'application/json');
  assert.match(slack.body.text, /1 new paper for “"KV cache" compression”/);
  assert.match(slack.body.text, /<http:\/\/localhost:3000\/papers\/2503\.55555\|Lossless KV Cache Compression>/);
  const discord = r.hits.find((h) => h.path === '/discord')!;
  assert.equal(discord.body.embeds[0].title, 'Lossless KV Cache Compression');
  assert.deepEqual(discord.body.allowed_mentions, { parse: [] });
  const json = r.hits.find((h) => h.path === '/json')!;
  assert.equal(json.body.type, 'dailypapers.topic');
  assert.equal(json.body.topic, '"KV cache" compression');
  assert.equal(json.body.period, 'daily:2025-03-12');
  assert.equal(json.body.papers[0].arxivUrl, 'https://arxiv.org/abs/2503.55555');
  assert.match(json.body.papers[0].summary, /^We compress the KV cache\./);
  const slow = await mailKysely(b.db.kysely).selectFrom('outbox').select(['last_error', 'status']).where('recipient', '=', r.url('/slow')).executeTakeFirstOrThrow();
  assert.deepEqual(slow, { last_error: 'no answer within 2000 ms', status: 'queued' });

  b.clock.now = new Date(b.clock.now.getTime() + 5 * 60_000);
  await b.drain();
  assert.equal(r.hits.filter((h) => h.path === '/flaky').length, 2, 'delivered on the retry');
  // Running the same period again delivers nothing twice.
  await b.digest();
  await b.drain();
  assert.equal(r.hits.filter((h) => h.path === '/json').length, 1);
});

test('a webhook that keeps answering 4xx is disabled; redirects are not followed; private addresses need opting in', async (t) => {
  const b = await mailBench(t, { settings: { webhookAllowPrivate: true, bounceAfter: 2, retryBaseMs: 1000 } });
  const r = await receiver(t);
  const id = await b.subscribe('hooks@example.org', { topics: ['compression'] });
  const sub = (await findSubscriber(b.db, id))!;
  await addWebhook(b.db, sub, { topic: 'compression', url: r.url('/gone') }, b.clock.now);
  await addWebhook(b.db, sub, { topic: 'compression', url: r.url('/moved') }, b.clock.now);
  await upsertPapers(b.db, [paperRecord({ title: 'Model compression' })], '2025-03-12T06:00:00.000Z');
  await b.digest();
  for (let i = 0; i < 3; i++) {
    await b.drain();
    b.clock.now = new Date(b.clock.now.getTime() + 10 * 60_000);
  }
  assert.equal(r.hits.filter((h) => h.path === '/gone').length, 2);
  assert.equal(r.hits.filter((h) => h.path === '/moved').length, 2, 'the redirect target was never requested');
  assert.ok((await listWebhooks(b.db, { subscriberId: id })).every((w) => w.disabledAt !== null));

  await assert.rejects(deliverWebhook(r.url('/json'), {}, { timeoutMs: 1000, allowPrivate: false, userAgent: 'test' }), /private or loopback/);
  for (const ip of ['127.0.0.1', '10.1.2.3', '192.168.0.1', '169.254.169.254', '::1', 'fd00::1', '::ffff:127.0.0.1']) assert.ok(isPrivateAddress(ip), ip);
  for (const ip of ['93.184.216.34', '2606:2800:220:1::1']) assert.ok(!isPrivateAddress(ip), ip);
});

test('webhooks from the manage page; unconfirmed subscribers’ webhooks never fire', async (t) => {
  const b = await mailBench(t, { settings: { webhookAllowPrivate: true } });
  const r = await receiver(t);
  const id = await b.subscribe('page@example.org', { topics: ['compression'] });
  const sub = (await findSubscriber(b.db, id))!;
  const token = signToken(b.config.secret, 'manage', sub.id, sub.email, null);
  const form = anonymousForm();
  const post = (fields: Record<string, string>) => b.app.request('/subscription', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: form.cookie }, body: formBody({ token, ...fields }) });
  assert.equal((await post({ action: 'add-webhook', topic: 'compression', url: r.url('/json'), kind: 'auto' })).status, 303);
  for (const url of ['ftp://example.org/x', 'not a url', 'https://user:pw@example.org/', `${r.url('/json')}\r\nX: y`]) {
    assert.equal((await post({ action: 'add-webhook', topic: 'compression', url })).status, 400, url);
  }
  const page = await (await b.app.request(`/subscription?token=${token}`)).text();
  assert.match(page, /compression → json at 127\.0\.0\.1/);
  for (let i = 0; i < 9; i++) assert.equal((await post({ action: 'add-webhook', topic: 'compression', url: r.url(`/json${i}`) })).status, 303);
  assert.equal((await post({ action: 'add-webhook', topic: 'compression', url: r.url('/json11') })).status, 400, 'at most 10 per subscription');
  const [first] = await listWebhooks(b.db, { subscriberId: id });
  assert.equal((await post({ action: 'remove-webhook', webhook: String(first.id) })).status, 303);
  assert.equal((await listWebhooks(b.db, { subscriberId: id })).length, 9);

  await b.app.request(`/unsubscribe?token=${signToken(b.config.secret, 'unsubscribe', sub.id, sub.email, null)}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
  await upsertPapers(b.db, [paperRecord({ title: 'Model compression' })], '2025-03-12T06:00:00.000Z');
  assert.equal((await b.digest()).rendered!.webhooks, 0);
  await b.drain();
  assert.equal(r.hits.length, 0);
});
