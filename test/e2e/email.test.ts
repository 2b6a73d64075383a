/**
 * Email digests end to end, in a real browser against a real `dailypapers serve` whose mail goes
 * to an in-process SMTP server: subscribe through the form → read the confirmation mail → open
 * its link → the `digest send` CLI delivers a digest of the served papers → one-click unsubscribe
 * as a mail client does it → the next digest run leaves that address out.
 *
 * A second address, subscribed through the JSON API, stays subscribed throughout: it shows that
 * the later run does send digests, so the unsubscribed address's silence means something.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ParsedMail } from 'mailparser';
import type { Page } from 'playwright-core';
import { browserUnavailable, launchBrowser, newPage, resultPath, type Browser } from './browser.ts';
import { rawHeader, startMailE2eServer, type MailE2eServer } from './email-support.ts';
import { linkIn } from '../support/mail.ts';

const READER = 'reader@example.org';
const STAYS = 'stays@example.org';
const DAY_MS = 86_400_000;

let server: MailE2eServer;
let browser: Browser;

const skip = browserUnavailable();

before(async () => {
  if (skip) return;
  server = await startMailE2eServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The messages to one address, parsed, once there are `count` of them. */
async function mailsTo(address: string, count: number, timeoutMs = 20_000): Promise<ParsedMail[]> {
  const until = Date.now() + timeoutMs;
  while (server.smtp.to(address).length < count) {
    if (Date.now() > until) throw new Error(`expected ${count} messages to ${address}, got ${server.smtp.to(address).length}:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Promise.all(server.smtp.to(address).map((m) => server.smtp.parse(m)));
}

/** Shows an email's HTML part in the page, as a webmail client would. */
async function showMail(page: Page, mail: ParsedMail): Promise<void> {
  assert.ok(mail.html, `"${mail.subject}" has an HTML part`);
  await page.setContent(mail.html);
}

const heading = (page: Page, name: string) => page.getByRole('heading', { name, exact: true });

test('email: subscribe → confirmation mail → confirm link → digest over SMTP → one-click unsubscribe → no more digests', { skip, timeout: 90_000 }, async () => {
  const base = server.url;
  const { page, problems } = await newPage(browser, base);

  // 1. Subscribe through the form, as a visitor does.
  await page.goto(`${base}/subscribe`);
  await heading(page, 'Get trending papers in your email inbox').waitFor();
  const csrf = await page.locator('form.subscribe-form input[name="_csrf"]').inputValue();
  assert.ok(csrf.length >= 20, 'the form carries a CSRF token');
  await page.screenshot({ path: resultPath('email-subscribe.png'), fullPage: true });
  await page.getByLabel('Email address').fill(READER);
  assert.ok(await page.getByRole('radio', { name: /^Daily/ }).isChecked(), 'daily is the default');
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.url() === `${base}/subscribe` && r.request().method() === 'POST'),
    page.getByRole('button', { name: 'Subscribe' }).click(),
  ]);
  assert.equal(answer.status(), 202);
  await heading(page, 'Check your inbox').waitFor();
  // The same form without the browser's cookie and token is refused: the token above mattered.
  const forged = await fetch(`${base}/subscribe`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `email=${encodeURIComponent(STAYS)}` });
  assert.equal(forged.status, 403);

  // 2. The confirmation mail, and its link opened from the mail.
  const [confirmation] = await mailsTo(READER, 1);
  assert.equal(confirmation.subject, 'Confirm your subscription to Daily Papers');
  const confirmLink = linkIn(confirmation.text ?? '', `${base}/subscribe/confirm?token=`);
  await showMail(page, confirmation);
  const button = page.getByRole('link', { name: 'Confirm my subscription' });
  assert.equal(await button.getAttribute('href'), confirmLink, 'the HTML and text parts link the same confirmation');
  await Promise.all([page.waitForURL((u) => u.pathname === '/subscribe/confirm'), button.click()]);
  await heading(page, 'You are subscribed').waitFor();
  assert.match(await page.locator('section.notice').innerText(), new RegExp(`${READER} will get the daily digest of Daily Papers`));
  await page.screenshot({ path: resultPath('email-confirmed.png') });

  // A second subscriber, through the JSON API and its own confirmation link; it never leaves.
  const api = await fetch(`${base}/api/subscriptions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: STAYS }) });
  assert.equal(api.status, 202);
  const [staysConfirmation] = await mailsTo(STAYS, 1);
  const staysConfirmed = await fetch(linkIn(staysConfirmation.text ?? '', `${base}/subscribe/confirm?token=`));
  assert.equal(staysConfirmed.status, 200);
  assert.match(await staysConfirmed.text(), /You are subscribed/);

  // 3. The daily digest, sent by the CLI over the server's database (as of yesterday: a later run
  // today is another period).
  const first = await server.digest(new Date(Date.now() - DAY_MS));
  assert.equal(first.code, 0, `${first.stdout}\n${first.stderr}`);
  assert.match(first.stdout, /: queued 2 digests \(10 trending papers/, first.stdout);
  const [, digest] = await mailsTo(READER, 2);
  await mailsTo(STAYS, 2);
  assert.match(digest.subject ?? '', /^Daily Papers · [A-Z][a-z]{2} \d{1,2} · .+ and 9 more$/);
  const raw = server.smtp.to(READER)[1].raw;
  const listUnsubscribe = rawHeader(raw, 'List-Unsubscribe');
  assert.match(listUnsubscribe ?? '', new RegExp(`^<${base.replace(/[.]/g, '\\.')}/unsubscribe\\?token=[^>\\s]+>$`));
  const unsubscribeUrl = listUnsubscribe!.slice(1, -1);
  assert.equal(rawHeader(raw, 'List-Unsubscribe-Post'), 'List-Unsubscribe=One-Click');
  assert.equal(linkIn(digest.text ?? '', `${base}/unsubscribe?token=`), unsubscribeUrl, 'the text footer links the same unsubscribe URL');

  // The digest's papers, as its HTML shows them: ten titles linking to this server's paper pages.
  await showMail(page, digest);
  const papers = await page.locator(`a[href^="${base}/papers/"]`).evaluateAll((links) =>
    links.map((a) => ({ href: (a as HTMLAnchorElement).href, title: (a.textContent ?? '').trim() })).filter((p) => p.title !== 'Paper page'),
  );
  assert.equal(papers.length, 10, JSON.stringify(papers));
  assert.equal(new Set(papers.map((p) => p.href)).size, 10, 'ten different papers');
  assert.ok(digest.subject!.includes(papers[0].title.slice(0, 40)), 'the subject names the top paper');
  for (const p of papers) assert.ok(digest.text!.includes(p.title), `the text part lists "${p.title}"`);
  // Real papers of the served database: following each link opens its page there, under the title
  // the digest gave it, featured on the day the digest covers.
  const featured = `Featured on <a href="/papers?date=${server.latestDay}">`;
  const top = page.locator(`a[href="${papers[0].href}"]`).first();
  await Promise.all([page.waitForURL(papers[0].href), top.click()]);
  for (const [i, p] of papers.entries()) {
    if (i > 0) await page.goto(p.href);
    assert.equal(await page.title(), `${p.title} | Daily Papers`, p.href);
    assert.ok((await page.content()).includes(featured), `${p.href} is featured on ${server.latestDay}`);
  }

  // 4. Unsubscribe. The footer link opens a page that asks and changes nothing by itself.
  await showMail(page, digest);
  const footer = page.getByRole('link', { name: 'Unsubscribe', exact: true });
  assert.equal(await footer.getAttribute('href'), unsubscribeUrl, 'the footer links the List-Unsubscribe URL');
  await Promise.all([page.waitForURL((u) => u.pathname === '/unsubscribe'), footer.click()]);
  await heading(page, 'Unsubscribe?').waitFor();
  assert.match(await page.locator('section.notice').innerText(), new RegExp(`Stop sending the daily digest to ${READER}\\?`));
  // The mail client's one-click (RFC 8058): a POST with no cookies and no page in return.
  const oneClick = await fetch(unsubscribeUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
  assert.equal(oneClick.status, 200);
  assert.match(oneClick.headers.get('content-type') ?? '', /^text\/plain/);
  assert.equal(await oneClick.text(), 'Unsubscribed.\n');
  await page.reload();
  await heading(page, 'You are unsubscribed').waitFor();
  assert.match(await page.locator('section.notice').innerText(), new RegExp(`${READER} will get no more digests`));

  // 5. The next run (today) sends the other subscriber its digest, and nothing to this address.
  const second = await server.digest(new Date());
  assert.equal(second.code, 0, `${second.stdout}\n${second.stderr}`);
  assert.match(second.stdout, /: queued 1 digests \(10 trending papers/, second.stdout);
  const staysMails = await mailsTo(STAYS, 3);
  assert.match(staysMails[2].subject ?? '', /^Daily Papers · /);
  assert.notEqual(staysMails[2].messageId, staysMails[1].messageId, 'a new period, a new digest');
  const status = await server.status();
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /^subscribers: .*\bconfirmed 1\b/m, status.stdout);
  assert.match(status.stdout, /^subscribers: .*\bunsubscribed 1\b/m, status.stdout);
  assert.doesNotMatch(status.stdout, /\b(queued|sending) [1-9]/, 'nothing left to send');
  assert.equal(server.smtp.to(READER).length, 2, 'the unsubscribed reader got the confirmation and one digest, nothing after');
  assert.deepEqual(problems, []);
});
