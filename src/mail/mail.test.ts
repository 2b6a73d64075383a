import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signToken, tokenSubject, verifyToken } from './tokens.ts';
import { parseTopic, topicProblem } from './topics.ts';
import { firstSentences, esc } from './render.ts';
import { digestSubject } from './digest.ts';
import { localDay, periodKey, periodLabel } from './periods.ts';
import { classifySmtpError } from './transport.ts';
import { guessWebhookKind, isPrivateAddress, webhookUrlProblem } from './webhooks.ts';

const NOW = new Date('2025-03-12T12:00:00Z');

test('tokens: bound to purpose, subscriber, address and secret; expiry checked after the signature', () => {
  const t = signToken('s3cret', 'confirm', 7, 'Ada@Example.org', new Date('2025-03-14T00:00:00Z'));
  assert.equal(tokenSubject(t), 7);
  assert.equal(verifyToken('s3cret', 'confirm', t, 7, 'ada@example.org', NOW), 'ok', 'addresses compare case-insensitively');
  assert.equal(verifyToken('s3cret', 'unsubscribe', t, 7, 'ada@example.org', NOW), 'invalid');
  assert.equal(verifyToken('s3cret', 'confirm', t, 8, 'ada@example.org', NOW), 'invalid');
  assert.equal(verifyToken('s3cret', 'confirm', t, 7, 'eve@example.org', NOW), 'invalid');
  assert.equal(verifyToken('other', 'confirm', t, 7, 'ada@example.org', NOW), 'invalid');
  assert.equal(verifyToken('s3cret', 'confirm', t, 7, 'ada@example.org', new Date('2025-03-15T00:00:00Z')), 'expired');
  const forever = signToken('s3cret', 'unsubscribe', 7, 'ada@example.org', null);
  assert.equal(verifyToken('s3cret', 'unsubscribe', forever, 7, 'ada@example.org', new Date('2099-01-01')), 'ok');
  // Re-dating a token breaks its signature.
  const [id, , sig] = t.split('.');
  assert.equal(verifyToken('s3cret', 'confirm', `${id}.0.${sig}`, 7, 'ada@example.org', NOW), 'invalid');
  for (const bad of ['', '7', '7.0', '7.0.short', 'x.0.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', `${t}\n`]) assert.equal(verifyToken('s3cret', 'confirm', bad, 7, 'ada@example.org', NOW), 'invalid', bad);
});

test('topics: words, quoted phrases and cat: filters', () => {
  assert.deepEqual(parseTopic('"KV cache" compression'), { phrases: ['kv cache', 'compression'], categories: [] });
  assert.deepEqual(parseTopic('cat:cs.CL  retrieval'), { phrases: ['retrieval'], categories: ['cs.CL'] });
  assert.equal(topicProblem('cat:cs.CL retrieval'), null);
  assert.match(topicProblem('cat:<b>')!, /not an arXiv category/);
  assert.match(topicProblem('""')!, /no search terms/);
  assert.match(topicProblem('x'.repeat(201))!, /at most 200/);
});

test('rendering helpers: first sentences, escaping, subjects, periods', () => {
  assert.equal(firstSentences('One. Two! Three? Four.', 12), 'One. Two!');
  assert.equal(firstSentences('word '.repeat(100), 50).length <= 50, true);
  assert.equal(esc(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  assert.equal(digestSubject('Daily Papers', 'Mar 12', 'A title', 10), 'Daily Papers · Mar 12 · A title and 9 more');
  assert.equal(digestSubject('Daily Papers', 'Mar 12', 'A title', 1), 'Daily Papers · Mar 12 · A title');
  assert.ok(digestSubject('D', 'Mar 12', 'word '.repeat(40), 2).length < 120);
  assert.equal(localDay(new Date('2025-03-12T23:30:00Z'), 'Europe/Paris'), '2025-03-13');
  assert.equal(periodKey('daily', NOW, 'UTC'), 'daily:2025-03-12');
  assert.equal(periodKey('weekly', NOW, 'UTC'), 'weekly:2025-W11');
  assert.equal(periodLabel('weekly', NOW, 'UTC'), 'Week of Mar 6');
});

test('delivery classification: 5xx permanent (not 503, not auth); webhook URLs and private addresses', () => {
  assert.equal(classifySmtpError({ responseCode: 550, code: 'EENVELOPE' }), 'permanent');
  assert.equal(classifySmtpError({ responseCode: 503 }), 'temporary');
  assert.equal(classifySmtpError({ responseCode: 535, code: 'EAUTH' }), 'temporary');
  assert.equal(classifySmtpError({ responseCode: 451 }), 'temporary');
  assert.equal(classifySmtpError({ code: 'ECONNECTION' }), 'temporary');
  assert.equal(guessWebhookKind('https://hooks.slack.com/services/T/B/x'), 'slack');
  assert.equal(guessWebhookKind('https://discord.com/api/webhooks/1/abc'), 'discord');
  assert.equal(guessWebhookKind('https://example.org/hook'), 'json');
  assert.equal(webhookUrlProblem('https://example.org/hook'), null);
  assert.ok(webhookUrlProblem('javascript:alert(1)'));
  assert.ok(isPrivateAddress('100.64.1.1') && !isPrivateAddress('8.8.8.8'));
});
