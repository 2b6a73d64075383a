/**
 * Community flows in a real browser against a real server: sign up, upvote in place, comment,
 * edit, delete, submit, feature as an editor; then the same site with JavaScript off. Also the
 * paper page's pictures (upvote sparkline, score bar), which need a vote to show something.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { browserUnavailable, EDITOR, launchBrowser, logIn, markWindow, newPage, pictureFacts, signUp, startE2eServer, windowMarked, type Browser, type E2eServer } from './browser.ts';

let server: E2eServer;
let browser: Browser;

const skip = browserUnavailable();

before(async () => {
  if (skip) return;
  // Keyword search only: these flows do not search by meaning, and training the built-in
  // embedding model on import would cost the setup many seconds.
  server = await startE2eServer({ env: { SEARCH_PROVIDER: 'none' } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const today = () => new Date().toISOString().slice(0, 10);

/** The first card on the page: its paper id, title, and upvote count as shown. */
async function firstCard(page: Page) {
  const card = page.locator('ol.cards > li').first();
  const id = (await card.getAttribute('id'))!;
  const title = (await card.locator('.card-title a').textContent())!.trim();
  const count = Number(await card.locator('.vote .n').textContent());
  return { card, id, title, count };
}

async function logOut(page: Page) {
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('link', { name: 'Log in', exact: true }).waitFor();
}

test('community: sign up, upvote in place, comment, edit, delete, submit; an editor features a paper', { skip }, async () => {
  const { page, problems } = await newPage(browser, server.url);
  const user = await signUp(page, server.url, 'alice-e2e');
  await page.getByRole('link', { name: `Your profile: ${user}` }).waitFor();

  // Upvote on the feed: the count changes and the button is pressed, with no page load.
  await page.goto(`${server.url}/`);
  const { card, id, title, count } = await firstCard(page);
  await markWindow(page);
  const button = card.locator('button.vote');
  assert.equal(await button.getAttribute('aria-pressed'), 'false');
  await button.click();
  await page.waitForFunction(([sel, n]) => document.querySelector(sel)?.textContent === n, [`[id="${id}"] .vote .n`, String(count + 1)] as const);
  assert.equal(await button.getAttribute('aria-pressed'), 'true');
  assert.ok(await windowMarked(page), 'the upvote reloaded or left the page');
  // The server kept it: a reload shows the same count, pressed.
  await page.reload();
  assert.equal(Number(await page.locator(`[id="${id}"] .vote .n`).textContent()), count + 1);
  assert.equal(await page.locator(`[id="${id}"] button.vote`).getAttribute('aria-pressed'), 'true');

  // The paper page: its pictures now have a vote to show.
  await page.locator(`[id="${id}"] .card-title a`).click();
  await page.waitForURL(/\/papers\/\d{4}\.\d{4,5}$/);
  assert.equal((await page.locator('#paper-title').textContent())!.trim(), title);
  const spark = await pictureFacts(page, 'svg.chart-spark');
  assert.equal(spark.role, 'img');
  assert.match(spark.label, new RegExp(`^Upvotes over the 30 days to .*: from ${count} to ${count + 1} upvotes?$`));
  assert.ok(spark.width > 0 && spark.height > 0 && spark.viewBox, JSON.stringify(spark));
  assert.ok(spark.marks >= 2, 'line and area drawn');
  const score = await pictureFacts(page, 'svg.chart-score');
  assert.equal(score.role, 'img');
  assert.match(score.label, /^Score \d+\.\d\d: upvotes \d+\.\d\d \(\d+%\), comments/);
  assert.ok(score.width > 0 && score.height > 0 && score.viewBox);
  assert.ok(score.marks >= 2, 'the track and at least the upvotes segment');
  assert.equal(await page.locator('svg.chart-score .seg-votes').count(), 1);

  // Comment (Markdown), edit it, delete it.
  await page.getByLabel('Add a comment').fill('A **clear** result on pruning.');
  await Promise.all([page.waitForURL(/#comment-\d+$/), page.getByRole('button', { name: 'Comment', exact: true }).click()]);
  const comment = page.locator('li.comment').filter({ hasText: 'on pruning' });
  assert.equal(await comment.locator('.comment-body strong').textContent(), 'clear');
  assert.equal(await comment.locator('.comment-author').textContent(), user);
  await comment.getByRole('link', { name: 'Edit' }).click();
  await page.waitForURL(/\/comments\/\d+\/edit$/);
  await page.getByLabel('Add a comment').fill('A clear result on pruning, edited.');
  await Promise.all([page.waitForURL(/\/papers\//), page.getByRole('button', { name: 'Save' }).click()]);
  const edited = page.locator('li.comment').filter({ hasText: 'on pruning, edited.' });
  await edited.waitFor();
  assert.match((await edited.locator('.comment-meta').textContent())!, /edited/);
  await edited.locator('summary', { hasText: 'Delete' }).click();
  await Promise.all([page.waitForURL(/#comments$/), edited.getByRole('button', { name: 'Yes, delete it' }).click()]);
  assert.equal(await page.locator('li.comment').filter({ hasText: 'on pruning' }).count(), 0);

  // Submit a recent paper the instance has indexed but not featured: it lands on today's feed.
  const [toSubmit, toFeature] = server.unfeatured;
  await page.getByRole('link', { name: 'Submit', exact: true }).click();
  await page.getByLabel('arXiv id or URL').fill(`https://arxiv.org/abs/${toSubmit.id}`);
  await Promise.all([page.waitForURL(new RegExp(`date=${today()}#paper-`)), page.getByRole('button', { name: 'Submit' }).click()]);
  const submitted = page.locator('ol.cards > li').filter({ hasText: toSubmit.title });
  assert.match((await submitted.locator('.meta').textContent())!, new RegExp(`Submitted by ${user}`));

  // An editor features the other one from its paper page.
  await logOut(page);
  await logIn(page, server.url, EDITOR.username, EDITOR.password, `/papers/${toFeature.id}`);
  await page.waitForURL(new RegExp(`/papers/${toFeature.id.replace('.', '\\.')}$`));
  assert.equal(await page.getByLabel('Day', { exact: true }).inputValue(), today());
  await Promise.all([page.waitForURL(new RegExp(`date=${today()}#paper-`)), page.getByRole('button', { name: 'Feature on this day' }).click()]);
  assert.equal(await page.locator('ol.cards > li').filter({ hasText: toFeature.title }).count(), 1);
  assert.equal(await page.locator('ol.cards > li').filter({ hasText: toSubmit.title }).count(), 1);
  assert.deepEqual(problems, []);
  await page.close();
});

test('without JavaScript: pages render, login, upvote (form POST, back to the card), comment, details', { skip }, async () => {
  const nojs = await launchBrowser({ javaScriptEnabled: false });
  try {
    const { page, problems } = await newPage(nojs, server.url);
    // A day of the imported sample (today's feed holds only the two papers of the first test).
    await page.goto(`${server.url}/`);
    const dayPath = (await page.locator('.period-nav a[rel="prev"]').getAttribute('href'))!;
    const monthPath = (await page.locator('.segmented a', { hasText: 'Month' }).getAttribute('href'))!;
    await page.goto(`${server.url}${dayPath}`);
    const paperId = (await firstCard(page)).id.replace(/^paper-/, '');
    const dayRe = dayPath.replace(/[?.]/g, '\\$&');

    // Every main page renders its content with scripts off.
    for (const path of ['/', dayPath, monthPath, `/papers/${paperId}`, '/papers/trending', '/search?q=diffusion', '/login', '/signup', '/subscribe']) {
      const res = await page.goto(`${server.url}${path}`);
      assert.equal(res?.status(), 200, path);
      assert.ok(await page.locator('main h1').first().isVisible(), `${path} has a heading`);
    }

    // An anonymous vote asks to log in, and logging in comes back.
    await page.goto(`${server.url}${dayPath}`);
    await page.locator('ol.cards > li').first().locator('a.vote').click();
    await page.waitForURL(/\/login\?next=/);
    await page.getByLabel('Username or email').fill(EDITOR.username);
    await page.getByLabel('Password', { exact: true }).fill(EDITOR.password);
    await Promise.all([page.waitForURL(new RegExp(`${dayRe}$`)), page.getByRole('button', { name: 'Log in' }).click()]);

    // The upvote form POSTs, and the server redirects back to the card.
    const { id, count } = await firstCard(page);
    await Promise.all([page.waitForURL(new RegExp(`${dayRe}#${id.replace('.', '\\.')}$`)), page.locator(`[id="${id}"] button.vote`).click()]);
    assert.equal(Number(await page.locator(`[id="${id}"] .vote .n`).textContent()), count + 1);
    assert.equal(await page.locator(`[id="${id}"] button.vote`).getAttribute('aria-pressed'), 'true');

    // A long abstract expands with <details>, no script needed.
    const abstract = page.locator('details.abstract').first();
    await abstract.locator('summary').click();
    assert.equal(await abstract.getAttribute('open'), '');

    // Comment.
    await page.goto(`${server.url}/papers/${paperId}`);
    await page.getByLabel('Add a comment').fill('Read without scripts.');
    await Promise.all([page.waitForURL(/#comment-\d+$/), page.getByRole('button', { name: 'Comment', exact: true }).click()]);
    assert.equal(await page.locator('li.comment .comment-body').filter({ hasText: 'Read without scripts.' }).count(), 1);
    assert.deepEqual(problems, []);
  } finally {
    await nojs.close();
  }
});
