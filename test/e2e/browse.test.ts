/**
 * Reading the site in a real browser: browse days and papers, search, the month page's picture,
 * screenshots at desktop and phone widths, accessibility (axe-core, light and dark) and keyboard
 * navigation. One server and one browser for the file; the tests run in order.
 */
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { axeProblems, browserUnavailable, launchBrowser, newPage, pictureFacts, RESULTS_DIR, resultPath, signUp, startE2eServer, type Browser, type E2eServer } from './browser.ts';
import { keyboardWalk } from './keyboard.ts';

let server: E2eServer;
let browser: Browser;
let page: Page;
let problems: string[];
/** A paper of the latest day, for the paper page's checks. */
let paperPath = '';

const skip = browserUnavailable();

before(async () => {
  if (skip) return;
  server = await startE2eServer({ community: false });
  browser = await launchBrowser();
  ({ page, problems } = await newPage(browser, server.url));
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const h1 = async () => (await page.locator('main h1').first().textContent())!.trim();

test('browse: latest day → previous day → a paper → back; the month page draws papers per day', { skip }, async () => {
  await page.goto(`${server.url}/`);
  const latest = await h1();
  assert.ok((await page.locator('ol.cards > li').count()) > 0, 'the latest day has cards');
  paperPath = (await page.locator('ol.cards .card-title a').first().getAttribute('href'))!;

  await Promise.all([page.waitForURL(/\/papers\?date=\d{4}-\d{2}-\d{2}$/), page.getByRole('link', { name: /^Previous day:/ }).click()]);
  const previous = await h1();
  const dayUrl = page.url();
  assert.notEqual(previous, latest);
  assert.ok(Date.parse(previous) < Date.parse(latest), `${previous} is before ${latest}`);

  const first = page.locator('ol.cards .card-title a').first();
  const title = (await first.textContent())!.trim();
  await Promise.all([page.waitForURL(/\/papers\/\d{4}\.\d{4,5}$/), first.click()]);
  assert.equal(await h1(), title);
  assert.equal(await page.title(), `${title} | Daily Papers`);

  await page.goBack();
  assert.equal(page.url(), dayUrl);
  assert.equal(await h1(), previous);

  // The month view, and its picture of the 90 days to the month's end.
  await Promise.all([page.waitForURL(/\/papers\/month\/\d{4}-\d{2}$/), page.locator('.segmented a', { hasText: 'Month' }).click()]);
  const chart = await pictureFacts(page, 'svg.chart-days');
  assert.equal(chart.role, 'img');
  assert.match(chart.label, /^Papers per day, \w{3} \d+, \d{4} to \w{3} \d+, \d{4}: [\d,]+ papers? on \d+ days?; the most on /);
  assert.ok(chart.width > 200 && chart.height > 50, JSON.stringify(chart));
  assert.ok(chart.viewBox);
  const daysListed = await page.locator('ul.days li').count();
  assert.ok(daysListed > 0);
  assert.ok((await page.locator('svg.chart-days rect.chart-bar').count()) >= daysListed, 'a bar for every day of the month with papers');
  assert.ok(chart.marks >= daysListed);
  assert.deepEqual(problems, []);
});

test('search: type a query → results → filter by category → open a similar paper', { skip }, async () => {
  await page.goto(`${server.url}/`);
  const box = page.getByRole('searchbox', { name: 'Search papers' }).first();
  await box.fill('diffusion models');
  await Promise.all([page.waitForURL(/\/search\?q=diffusion\+models/), box.press('Enter')]);
  const results = page.locator('ol.cards[aria-label="Search results"] > li');
  assert.ok((await results.count()) > 0, 'results');

  // Filter by a category with the form control (inside the "Filters" disclosure).
  const form = page.getByRole('search', { name: 'Search papers' });
  const options = form.locator('details.search-options');
  if ((await options.getAttribute('open')) === null) await options.locator('summary').click();
  const select = form.getByLabel('Category');
  const category = (await select.locator('option').nth(1).getAttribute('value'))!;
  await select.selectOption(category);
  await Promise.all([page.waitForURL((u) => u.searchParams.getAll('cat').includes(category)), form.getByRole('button', { name: 'Search' }).click()]);
  const chips = await results.evaluateAll((items) => items.map((li) => [...li.querySelectorAll('.chip')].map((c) => c.textContent?.trim() ?? '')));
  assert.ok(chips.length > 0, 'filtered results');
  for (const c of chips) assert.ok(c.includes(category), `every result is in ${category}: ${c.join(' ')}`);
  assert.equal(await page.getByRole('link', { name: new RegExp(`^Remove filter: .*${category.replace('.', '\\.')}`) }).count(), 1, 'the active filter is shown and removable');

  // A result's page lists similar papers; open one.
  await Promise.all([page.waitForURL(/\/papers\/\d{4}\.\d{4,5}$/), results.first().locator('.card-title a').click()]);
  const from = page.url();
  const similar = page.locator('section, aside').filter({ has: page.getByRole('heading', { name: /similar papers/i }) });
  const link = similar.locator('a[href^="/papers/"]').first();
  await Promise.all([page.waitForURL((u) => u.href !== from && /\/papers\/\d{4}\.\d{4,5}$/.test(u.pathname)), link.click()]);
  assert.ok((await h1()).length > 0);
});

test('screenshots: feed, month, paper, search and trending at 1280 and 390 px, light and dark', { skip }, async () => {
  // Regenerated each run: stale pictures of pages that changed would mislead.
  fs.rmSync(path.join(RESULTS_DIR, 'screenshots'), { recursive: true, force: true });
  await page.goto(`${server.url}/`);
  const month = (await page.locator('.segmented a', { hasText: 'Month' }).getAttribute('href'))!;
  const pages = { feed: '/', month, paper: paperPath, search: '/search?q=diffusion', trending: '/papers/trending' };
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: width > 600 ? 900 : 844 });
      for (const [name, p] of Object.entries(pages)) {
        await page.goto(`${server.url}${p}`);
        // Nothing may stick out sideways: a phone would scroll horizontally.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `${name} at ${width} px is ${overflow} px too wide`);
        const file = resultPath(`${name}-${width}-${scheme}.png`);
        await page.screenshot({ path: file, fullPage: name === 'paper' });
        assert.ok(fs.statSync(file).size > 5_000, `${file} has content`);
      }
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 900 });
});

async function assertAccessible(paths: string[], scheme: 'light' | 'dark') {
  await page.emulateMedia({ colorScheme: scheme });
  const found: string[] = [];
  for (const p of paths) {
    await page.goto(`${server.url}${p}`);
    for (const v of await axeProblems(page, { colorsOnly: scheme === 'dark' })) found.push(`${p} (${scheme}) ${v.impact} ${v.id}: ${v.help}\n    ${v.targets.join('\n    ')}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  assert.deepEqual(found, [], found.join('\n'));
}

test('accessibility: no serious or critical axe violations, signed out and signed in, light and dark', { skip }, async () => {
  const month = (await page.goto(`${server.url}/`), await page.locator('.segmented a', { hasText: 'Month' }).getAttribute('href'))!;
  const anonymous = ['/', month, paperPath, '/papers/trending', '/search?q=diffusion', '/login', '/signup', '/subscribe'];
  await assertAccessible(anonymous, 'light');
  await assertAccessible(['/', paperPath], 'dark');

  const user = await signUp(page, server.url, 'axe-reader');
  // Signed in: upvote buttons, comment form, submit form, settings with token forms, profile.
  const signedIn = ['/', paperPath, '/papers/submit', '/settings', `/u/${user}`];
  await assertAccessible(signedIn, 'light');
  await assertAccessible(['/papers/submit', '/settings'], 'dark');
  assert.deepEqual(problems, []);
});

test('keyboard: Tab reaches every control of the feed, in order, with a visible focus', { skip }, async () => {
  await page.goto(`${server.url}/`);
  // Signed in (the accessibility test signed up), so the cards have upvote buttons.
  if ((await page.getByRole('button', { name: 'Log out' }).count()) === 0) await signUp(page, server.url, 'kb-reader');
  await page.goto(`${server.url}/`);
  const walk = await keyboardWalk(page);
  assert.deepEqual(walk.missed, [], `never focused by Tab:\n${walk.missed.join('\n')}`);
  assert.deepEqual(walk.invisible, [], `focused without a visible indicator:\n${walk.invisible.join('\n')}`);
  assert.match(walk.reached[0], /^a\.skip-link "Skip to content"/, 'the skip link comes first');
  // Each kind of control the feed offers is there, and Tab reached every one of them.
  const kinds = {
    'nav links': '.site-nav a, .site-nav button',
    'search box': '#site-search',
    'upvote buttons': 'button.vote',
    'card links': '.card-title a',
    'paper links': '.links a',
    'abstract toggles': 'details.abstract > summary',
    pagination: '.pager a',
    'period links': '.period-nav a, .segmented a',
  };
  for (const [kind, selector] of Object.entries(kinds)) {
    const all = await page.locator(selector).count();
    assert.ok(all > 0, `the feed has ${kind}`);
    assert.equal(await page.locator(`:is(${selector}):not([data-kb-reached])`).count(), 0, `Tab reaches all ${all} ${kind}`);
  }

  // The skip link is shown when focused, and moves focus to the main content.
  await page.goto(`${server.url}/`);
  await page.keyboard.press('Tab');
  const box = await page.locator('a.skip-link').boundingBox();
  assert.ok(box && box.y >= 0 && box.height > 0, 'the focused skip link is on screen');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
  assert.deepEqual(problems, []);
});
