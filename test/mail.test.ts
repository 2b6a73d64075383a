/** Subscriptions end to end: double opt-in over real SMTP, privacy, signed links, input validation. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mailBench, linkIn, type MailBench } from './support/mail.ts';
import { anonymousForm, browserHeaders, formBody, makeUser } from './support/community.ts';
import { findSubscriberByEmail } from '../src/storage/subscriptions-repo.ts';
import { signToken } from '../src/mail/tokens.ts';
import { outboxCounts } from '../src/mail/outbox.ts';

const JSON_TYPE = { 'content-type': 'application/json' };
const FORM = 'application/x-www-form-urlencoded';

function apiSubscribe(b: MailBench, body: unknown) {
  return b.app.request('/api/subscriptions', { method: 'POST', headers: JSON_TYPE, body: JSON.stringify(body) });
}

function path(url: string): string {
  const u = new URL(url);
  return u.pathname + u.search;
}

test('subscribe → confirmation email over SMTP → open the link → confirmed', async (t) => {
  const b = await mailBench(t);
  const res = await apiSubscribe(b, { email: 'Ada@Example.org', frequency: 'weekly', topics: ['"KV cache" compression', 'cat:cs.CL retrieval'] });
  assert.equal(res.status, 202);
  assert.equal((await res.json()).status, 'accepted');
  assert.equal((await findSubscriberByEmail(b.db, 'ada@example.org'))!.status, 'pending');

  const stats = await b.drain();
  assert.equal(stats.sent, 1);
  assert.equal(b.smtp.messages.length, 1);
  const mail = await b.smtp.parse(b.smtp.messages[0]);
  assert.deepEqual(b.smtp.messages[0].to, ['ada@example.org']);
  assert.match(mail.subject!, /Confirm your subscription/);
  assert.match(mail.text!, /weekly digest/);
  assert.match(String(mail.html), /Confirm my subscription/);
  const link = linkIn(mail.text!, `${b.config.baseUrl}/subscribe/confirm?token=`);

  const page = await b.app.request(path(link));
  assert.equal(page.status, 200);
  assert.match(await page.text(), /You are subscribed/);
  const sub = await findSubscriberByEmail(b.db, 'ada@example.org');
  assert.equal(sub!.status, 'confirmed');
  assert.equal(sub!.frequency, 'weekly');
  assert.deepEqual(sub!.topics, ['"KV cache" compression', 'cat:cs.CL retrieval']);
  // Opening it again is harmless.
  assert.equal((await b.app.request(path(link))).status, 200);
});

test('the answer never reveals the state; confirmations are re-sent at most once an hour', async (t) => {
  const b = await mailBench(t);
  await b.subscribe('known@example.org');
  const fresh = await apiSubscribe(b, { email: 'new@example.org' });
  const known = await apiSubscribe(b, { email: 'known@example.org' });
  assert.equal(fresh.status, 202);
  assert.equal(known.status, 202);
  assert.deepEqual(await fresh.json(), await known.json());

  // The HTML form answers the same page for both as well.
  const form = anonymousForm();
  const post = (email: string) => b.app.request('/subscribe', { method: 'POST', headers: { 'content-type': FORM, cookie: form.cookie }, body: formBody({ email, frequency: 'daily', topics: '' }) });
  const [p1, p2] = [await post('other@example.org'), await post('known@example.org')];
  assert.equal(p1.status, 202);
  assert.equal(p2.status, 202);
  const strip = (s: string) => s.replace(/value="[^"]*"/g, '');
  assert.equal(strip(await p1.text()), strip(await p2.text()));

  // Four requests for new@ within the hour: one confirmation. The confirmed address gets one
  // "already subscribed, manage it here" note, never a confirmation.
  await apiSubscribe(b, { email: 'new@example.org' });
  b.clock.now = new Date(b.clock.now.getTime() + 30 * 60_000);
  await apiSubscribe(b, { email: 'new@example.org' });
  await apiSubscribe(b, { email: 'known@example.org' });
  await b.drain();
  assert.equal(b.smtp.to('new@example.org').length, 1);
  assert.equal(b.smtp.to('known@example.org').length, 1);
  const note = await b.smtp.parse(b.smtp.to('known@example.org')[0]);
  assert.match(note.text!, /already subscribed/);
  assert.match(note.text!, /\/subscription\?token=/);

  b.clock.now = new Date(b.clock.now.getTime() + 31 * 60_000);
  await apiSubscribe(b, { email: 'new@example.org' });
  await b.drain();
  assert.equal(b.smtp.to('new@example.org').length, 2, 'a new confirmation after an hour');
});

test('confirmation links expire; forged, altered or misdirected tokens are rejected', async (t) => {
  const b = await mailBench(t);
  await apiSubscribe(b, { email: 'eve@example.org' });
  const id = await b.subscribe('bob@example.org');
  await b.drain();
  const link = linkIn((await b.smtp.parse(b.smtp.to('eve@example.org')[0])).text!, `${b.config.baseUrl}/subscribe/confirm?token=`);
  const token = new URL(link).searchParams.get('token')!;

  const flip = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
  const eve = await findSubscriberByEmail(b.db, 'eve@example.org');
  const cases: [string, string][] = [
    ['altered signature', `/subscribe/confirm?token=${flip}`],
    ['another id', `/subscribe/confirm?token=${token.replace(/^\d+/, String(id))}`],
    ['signed with another secret', `/subscribe/confirm?token=${signToken('not-the-secret', 'confirm', eve!.id, eve!.email, new Date('2030-01-01'))}`],
    ['signed for another address', `/subscribe/confirm?token=${signToken(b.config.secret, 'confirm', eve!.id, 'bob@example.org', new Date('2030-01-01'))}`],
    ['an unsubscribe token used to confirm', `/subscribe/confirm?token=${signToken(b.config.secret, 'unsubscribe', eve!.id, eve!.email, null)}`],
    ['a confirm token used to unsubscribe', `/unsubscribe?token=${token}`],
    ['a confirm token used to manage', `/subscription?token=${token}`],
    ['garbage', '/unsubscribe?token=..%0d%0a'],
    ['missing', '/subscribe/confirm'],
  ];
  for (const [what, url] of cases) {
    const res = await b.app.request(url);
    assert.equal(res.status, 400, what);
    assert.match(await res.text(), /This link does not work/, what);
  }
  const oneClick = await b.app.request(`/unsubscribe?token=${flip}`, { method: 'POST', headers: { 'content-type': FORM }, body: 'List-Unsubscribe=One-Click' });
  assert.equal(oneClick.status, 400);
  assert.equal((await findSubscriberByEmail(b.db, 'eve@example.org'))!.status, 'pending');
  assert.equal((await findSubscriberByEmail(b.db, 'bob@example.org'))!.status, 'confirmed');

  b.clock.now = new Date(b.clock.now.getTime() + 49 * 3_600_000);
  const expired = await b.app.request(path(link));
  assert.equal(expired.status, 400);
  assert.match(await expired.text(), /expired/);
  assert.equal((await findSubscriberByEmail(b.db, 'eve@example.org'))!.status, 'pending');
});

test('bad input → 400 problem: malformed emails, CR/LF in any field, too many or too long topics', async (t) => {
  const b = await mailBench(t);
  const bad: [string, unknown][] = [
    ['no at', { email: 'not-an-email' }],
    ['two ats', { email: 'a@b@example.org' }],
    ['no domain dot', { email: 'a@localhost' }],
    ['display name', { email: 'Eve <eve@example.org>' }],
    ['empty', { email: '' }],
    ['too long', { email: `${'a'.repeat(250)}@example.org` }],
    ['CRLF + Bcc in email', { email: 'eve@example.org\r\nBcc: victim@example.org' }],
    ['trailing LF in email', { email: 'eve@example.org\n' }],
    ['CR in frequency', { email: 'eve@example.org', frequency: 'daily\r' }],
    ['LF in a topic', { email: 'eve@example.org', topics: ['ok', 'x\nBcc: victim@example.org'] }],
    ['unknown frequency', { email: 'eve@example.org', frequency: 'hourly' }],
    ['topic too long', { email: 'eve@example.org', topics: ['x'.repeat(201)] }],
    ['too many topics', { email: 'eve@example.org', topics: Array.from({ length: 11 }, (_, i) => `topic ${i}`) }],
    ['empty topic', { email: 'eve@example.org', topics: ['  '] }],
    ['bad category', { email: 'eve@example.org', topics: ['cat:<script>'] }],
    ['topics not an array', { email: 'eve@example.org', topics: 'llm' }],
    ['number email', { email: 42 }],
    ['unknown field', { email: 'eve@example.org', bcc: 'victim@example.org' }],
    ['not an object', ['eve@example.org']],
  ];
  for (const [what, body] of bad) {
    const res = await apiSubscribe(b, body);
    assert.equal(res.status, 400, what);
    assert.equal(res.headers.get('content-type'), 'application/problem+json; charset=utf-8', what);
  }
  const notJson = await b.app.request('/api/subscriptions', { method: 'POST', headers: JSON_TYPE, body: '{"email":' });
  assert.equal(notJson.status, 400);

  const form = anonymousForm();
  for (const fields of [
    { email: 'eve@example.org\r\nBcc: victim@example.org', frequency: 'daily', topics: '' },
    { email: 'eve@example.org', frequency: 'daily\r\n', topics: '' },
    { email: 'eve@example.org', frequency: 'daily', topics: `${'x'.repeat(201)}` },
    { email: 'bad', frequency: 'daily', topics: '' },
  ]) {
    const res = await b.app.request('/subscribe', { method: 'POST', headers: { 'content-type': FORM, cookie: form.cookie }, body: formBody(fields) });
    assert.equal(res.status, 400, JSON.stringify(fields));
    assert.match(await res.text(), /class="form-error"/);
  }
  assert.equal((await outboxCounts(b.db)).queued, 0, 'nothing was queued');
  assert.equal(await findSubscriberByEmail(b.db, 'eve@example.org'), null);
});

test('subscribe is rate limited per client; the form needs its CSRF token', async (t) => {
  const b = await mailBench(t);
  for (let i = 0; i < 10; i++) assert.equal((await apiSubscribe(b, { email: `u${i}@example.org` })).status, 202);
  const limited = await apiSubscribe(b, { email: 'u11@example.org' });
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers.get('retry-after')) > 0);
  const noCsrf = await b.app.request('/subscribe', { method: 'POST', headers: { 'content-type': FORM }, body: 'email=x%40example.org' });
  assert.equal(noCsrf.status, 403);
});

test('manage page: by signed link, and for the signed-in account that confirmed its address', async (t) => {
  const b = await mailBench(t);
  const user = await makeUser(b.db, { email: 'carol@example.org' });
  const headers = await browserHeaders(b.db, user, b.clock.now);
  // Signed in, with no linked subscription: the subscribe form with the account's address.
  const empty = await b.app.request('/subscription', { headers });
  assert.equal(empty.status, 200);
  assert.match(await empty.text(), /value="carol@example.org"/);

  await apiSubscribe(b, { email: 'carol@example.org', topics: ['diffusion'] });
  await b.drain();
  const link = linkIn((await b.smtp.parse(b.smtp.messages[0])).text!, `${b.config.baseUrl}/subscribe/confirm?token=`);
  assert.equal((await b.app.request(path(link), { headers })).status, 200);

  const page = await b.app.request('/subscription', { headers });
  const html = await page.text();
  assert.match(html, /carol@example.org<\/strong>: daily digest/);
  assert.match(html, /diffusion/);
  const save = await b.app.request('/subscription', {
    method: 'POST',
    headers: { ...headers, 'content-type': FORM },
    body: formBody({ action: 'save', frequency: 'weekly', topics: 'diffusion\n"state space" cat:cs.LG\n' }),
  });
  assert.equal(save.status, 303);
  const sub = await findSubscriberByEmail(b.db, 'carol@example.org');
  assert.equal(sub!.frequency, 'weekly');
  assert.deepEqual(sub!.topics, ['diffusion', '"state space" cat:cs.LG']);

  // Anyone else, signed out, needs the signed link.
  const anon = await b.app.request('/subscription');
  assert.doesNotMatch(await anon.text(), /carol@example.org/);
  const token = signToken(b.config.secret, 'manage', sub!.id, sub!.email, null);
  const viaLink = await b.app.request(`/subscription?token=${token}`);
  assert.equal(viaLink.status, 200);
  assert.equal(viaLink.headers.get('referrer-policy'), 'no-referrer');
  const form = anonymousForm();
  const unsub = await b.app.request('/subscription', { method: 'POST', headers: { 'content-type': FORM, cookie: form.cookie }, body: formBody({ token, action: 'unsubscribe' }) });
  assert.equal(unsub.status, 303);
  assert.equal((await findSubscriberByEmail(b.db, 'carol@example.org'))!.status, 'unsubscribed');
  const bad = await b.app.request('/subscription', { method: 'POST', headers: { 'content-type': FORM, cookie: form.cookie }, body: formBody({ token, action: 'save', topics: 'x'.repeat(300) }) });
  assert.equal(bad.status, 400);
});
