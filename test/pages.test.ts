import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { paperRecord, seedFeatured, testApp } from './support/db.ts';
import type { PaperRecord } from '../src/domain/paper.ts';

type App = Awaited<ReturnType<typeof testApp>>;

async function appFor(t: TestContext, items: { record: PaperRecord; day: string; featuredAt?: string; upvotes?: number }[] = []): Promise<App> {
  const a = await testApp();
  t.after(() => a.cleanup());
  if (items.length > 0) await seedFeatured(a.db, items);
  return a;
}

async function get(a: App, path: string, headers: Record<string, string> = {}) {
  const res = await a.app.request(path, { headers });
  return { res, status: res.status, body: await res.text(), type: res.headers.get('content-type') ?? '' };
}

/** Paper ids of the cards on a feed page, in order. */
function cardIds(html: string): string[] {
  return [...html.matchAll(/<h2 class="card-title"><a href="\/papers\/([^"]+)">/g)].map((m) => m[1]);
}

function assertHtmlPage(r: { type: string; body: string }) {
  assert.match(r.type, /^text\/html; charset=UTF-8$/i);
  assert.match(r.body, /^<!doctype html><html lang="en">/);
  assert.match(r.body, /<meta name="viewport" content="width=device-width, initial-scale=1"\/>/);
}

test('/ shows the latest day: header, subscribe CTA, search, cards ordered by upvotes then featured time', async (t) => {
  const a = await appFor(t, [
    { record: paperRecord({ id: '2503.00001', title: 'Older day paper' }), day: '2025-03-11', upvotes: 99 },
    { record: paperRecord({ id: '2503.00002', title: 'Few votes early' }), day: '2025-03-12', featuredAt: '2025-03-12T08:00:00.000Z', upvotes: 1 },
    { record: paperRecord({ id: '2503.00003', title: 'Many votes' }), day: '2025-03-12', featuredAt: '2025-03-12T09:00:00.000Z', upvotes: 10 },
    { record: paperRecord({ id: '2503.00004', title: 'Few votes late' }), day: '2025-03-12', featuredAt: '2025-03-12T10:00:00.000Z', upvotes: 1 },
    { record: paperRecord({ id: '2503.00005', title: 'No votes' }), day: '2025-03-12', featuredAt: '2025-03-12T07:00:00.000Z' },
  ]);
  const r = await get(a, '/');
  assert.equal(r.status, 200);
  assertHtmlPage(r);
  assert.equal(r.res.headers.get('cache-control'), 'public, max-age=60');
  assert.match(r.body, /<title>Daily Papers<\/title>/);
  assert.match(r.body, /<p class="site-title"><a href="\/"[^>]*>Daily Papers<\/a><\/p>/);
  assert.match(r.body, /by AK and the research community/);
  assert.match(r.body, /Get trending papers in your email inbox!<\/span><a href="\/subscribe">Subscribe<\/a>/);
  assert.match(r.body, /<form class="search" role="search" method="get" action="\/search">/);
  assert.match(r.body, /<input id="site-search" type="search" name="q"/);
  // Landmarks, skip link, one h1 with the day, footer links.
  assert.match(r.body, /<a class="skip-link" href="#main">/);
  assert.match(r.body, /<header class="site-header">[\s\S]*<main id="main"[\s\S]*<footer class="site-footer">/);
  assert.equal(r.body.match(/<h1[ >]/g)?.length, 1);
  assert.match(r.body, /<h1>Mar 12, 2025<\/h1>/);
  assert.match(r.body, /4 papers/);
  assert.match(r.body, /<a href="\/api\/daily_papers"[^>]*>API<\/a>/);
  assert.match(r.body, /<a href="\/openapi.json"[^>]*>OpenAPI<\/a>/);
  assert.match(r.body, /@media \(prefers-color-scheme: dark\)/);
  assert.match(r.body, /:focus-visible/);

  assert.deepEqual(cardIds(r.body), ['2503.00003', '2503.00002', '2503.00004', '2503.00005']);
  assert.doesNotMatch(r.body, /Older day paper/);

  // `/papers` without a date is the same page.
  const same = await get(a, '/papers');
  assert.equal(same.status, 200);
  assert.deepEqual(cardIds(same.body), cardIds(r.body));
});

test('a card: title link, authors folded after 8, abstract in <details>, primary category first, links and counts', async (t) => {
  const authors = Array.from({ length: 11 }, (_, i) => `Author Number${i + 1}`);
  const abstract = `${'A long abstract sentence that keeps going. '.repeat(12)}The end.`;
  const a = await appFor(t, [{ record: paperRecord({ id: '2503.00010', title: 'Card paper', authors, abstract, categories: ['cs.CL', 'cs.LG'] }), day: '2025-03-12', upvotes: 42 }]);
  await a.db.kysely
    .updateTable('papers')
    .set({ github_repo: 'https://github.com/acme/card', project_page: 'https://card.example.org/', num_comments: 3 })
    .where('id', '=', '2503.00010')
    .execute();
  const { body } = await get(a, '/');
  assert.match(body, /<h2 class="card-title"><a href="\/papers\/2503.00010">Card paper<\/a><\/h2>/);
  assert.match(body, /Author Number8, <details class="more-authors"><summary><span class="when-closed">\+3 more<\/span>/);
  assert.match(body, /<\/summary> Author Number9, Author Number10, Author Number11<\/details>/);
  assert.match(body, /<details class="abstract"><summary><span class="clamp">A long abstract sentence/);
  assert.match(body, /<li class="chip primary" title="Primary category">cs.CL<\/li><li class="chip">cs.LG<\/li>/);
  assert.match(body, /href="https:\/\/arxiv.org\/abs\/2503.00010"/);
  assert.match(body, /href="https:\/\/arxiv.org\/pdf\/2503.00010"/);
  assert.match(body, /<a href="https:\/\/github.com\/acme\/card"[^>]*>Code<\/a>/);
  assert.match(body, /<a href="https:\/\/card.example.org\/"[^>]*>Project page<\/a>/);
  // Signed out, the vote box is a link to log in (and back): no form, so no CSRF token on a cached page.
  assert.match(body, /<a class="vote" href="\/login\?next=%2F"[^>]*><span aria-hidden="true">▲<\/span><span class="n">42<\/span>/);
  assert.match(body, /<a href="\/papers\/2503.00010#comments" aria-label="3 comments: Card paper"><span aria-hidden="true">💬 <\/span>3<\/a>/);
  assert.doesNotMatch(body, /<script/i, 'pages need no JavaScript');
});

test('previous/next day links skip empty days; the latest day has no next link', async (t) => {
  const a = await appFor(t, [
    { record: paperRecord(), day: '2025-03-07' },
    { record: paperRecord(), day: '2025-03-10' },
    { record: paperRecord(), day: '2025-03-12' },
  ]);
  const mid = await get(a, '/papers?date=2025-03-10');
  assert.equal(mid.status, 200);
  assert.match(mid.body, /<a href="\/papers\?date=2025-03-07" rel="prev" aria-label="Previous day: Mar 7, 2025">/);
  assert.match(mid.body, /<a href="\/papers\?date=2025-03-12" rel="next" aria-label="Next day: Mar 12, 2025">/);
  assert.match(mid.body, /<link rel="canonical" href="http:\/\/localhost:3000\/papers\?date=2025-03-10"\/>/);
  // Day / Week / Month switch for the current period.
  assert.match(mid.body, /<a href="\/papers\?date=2025-03-10" aria-current="page" aria-label="Day view: Mar 10, 2025">Day<\/a>/);
  assert.match(mid.body, /<a href="\/papers\/week\/2025-W11" aria-label="Week view: Week 11, 2025">Week<\/a>/);
  assert.match(mid.body, /<a href="\/papers\/month\/2025-03" aria-label="Month view: March 2025">Month<\/a>/);

  const latest = await get(a, '/');
  assert.match(latest.body, /rel="prev" aria-label="Previous day: Mar 10, 2025"/);
  assert.doesNotMatch(latest.body, /rel="next"/);
  const first = await get(a, '/papers?date=2025-03-07');
  assert.doesNotMatch(first.body, /rel="prev"/);

  // An empty day in between is a page with an empty state and the same neighbours.
  const empty = await get(a, '/papers?date=2025-03-11');
  assert.equal(empty.status, 200);
  assert.match(empty.body, /No papers on Mar 11, 2025/);
  assert.match(empty.body, /href="\/papers\?date=2025-03-10" rel="prev"/);
  assert.match(empty.body, /href="\/papers\?date=2025-03-12" rel="next"/);
});

test('week and month pages list the right papers; the month lists its days with counts', async (t) => {
  const a = await appFor(t, [
    { record: paperRecord({ id: '2503.00021' }), day: '2025-03-09', upvotes: 5 }, // Sunday: week 10
    { record: paperRecord({ id: '2503.00022' }), day: '2025-03-10', upvotes: 1 }, // Monday: week 11
    { record: paperRecord({ id: '2503.00023' }), day: '2025-03-12', upvotes: 3 },
    { record: paperRecord({ id: '2503.00024' }), day: '2025-03-12', upvotes: 0 },
    { record: paperRecord({ id: '2503.00025' }), day: '2025-04-01', upvotes: 9 },
  ]);
  const week = await get(a, '/papers/week/2025-W11');
  assert.equal(week.status, 200);
  assert.equal(week.res.headers.get('cache-control'), 'public, max-age=60');
  assert.match(week.body, /<h1>Week 11, 2025<\/h1>/);
  assert.match(week.body, /Mar 10 – Mar 16, 2025/);
  assert.deepEqual(cardIds(week.body), ['2503.00023', '2503.00022', '2503.00024']);
  assert.match(week.body, /<a href="\/papers\/week\/2025-W10" rel="prev"/);
  assert.match(week.body, /<a href="\/papers\/week\/2025-W14" rel="next"/);
  assert.match(week.body, /aria-current="page" aria-label="Week view: Week 11, 2025"/);

  const month = await get(a, '/papers/month/2025-03');
  assert.equal(month.status, 200);
  assert.match(month.body, /<h1>March 2025<\/h1>/);
  assert.match(month.body, /4 papers/);
  assert.deepEqual(new Set(cardIds(month.body)), new Set(['2503.00021', '2503.00022', '2503.00023', '2503.00024']));
  assert.match(month.body, /<nav aria-label="Days in March 2025">/);
  // The day links' names read "Mar 9, 2025: 1 paper", the visible text plus hidden words.
  assert.match(month.body, /<a href="\/papers\?date=2025-03-09">Mar 9<span class="visually-hidden">, 2025:<\/span><span class="n">1<\/span><span class="visually-hidden"> paper<\/span><\/a>/);
  assert.match(month.body, /<a href="\/papers\?date=2025-03-12">Mar 12<span class="visually-hidden">, 2025:<\/span><span class="n">2<\/span><span class="visually-hidden"> papers<\/span><\/a>/);
  // Papers per day over the 90 days to the month's end, as a picture.
  assert.match(month.body, /<svg [^>]*class="chart chart-days" role="img" aria-labelledby="papers-per-day-title"/);
  assert.match(month.body, /<title id="papers-per-day-title">Papers per day, Jan 1, 2025 to Mar 31, 2025: 4 papers on 3 days/);
  assert.match(month.body, /<a href="\/papers\/month\/2025-04" rel="next"/);
  assert.doesNotMatch(month.body, /rel="prev"/);
  // Cards in a month say which day they were featured on.
  assert.match(month.body, /Featured on <a href="\/papers\?date=2025-03-10">Mar 10, 2025<\/a>/);

  // The query forms of week and month work too.
  const q = await get(a, '/papers?month=2025-04');
  assert.deepEqual(cardIds(q.body), ['2503.00025']);
});

test('pagination: 50 cards per page, prev/next page links, a page past the end is 404, a bad page is 400', async (t) => {
  const items = Array.from({ length: 53 }, (_, i) => ({
    record: paperRecord({ id: `2503.${String(30000 + i)}` }),
    day: '2025-03-12',
    featuredAt: `2025-03-12T08:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000Z`,
  }));
  const a = await appFor(t, items);
  const p0 = await get(a, '/');
  assert.equal(cardIds(p0.body).length, 50);
  assert.equal(cardIds(p0.body)[0], '2503.30000');
  assert.match(p0.body, /53 papers · page 1 of 2/);
  assert.match(p0.body, /<a href="\/papers\?date=2025-03-12&amp;p=1" rel="next" aria-label="Next page \(page 2 of 2\)">/);

  const p1 = await get(a, '/papers?date=2025-03-12&p=1');
  assert.equal(p1.status, 200);
  assert.deepEqual(cardIds(p1.body), ['2503.30050', '2503.30051', '2503.30052']);
  assert.match(p1.body, /<a href="\/papers\?date=2025-03-12" rel="prev" aria-label="Previous page \(page 1 of 2\)">/);
  assert.match(p1.body, /<link rel="canonical" href="http:\/\/localhost:3000\/papers\?date=2025-03-12&amp;p=1"\/>/);

  const past = await get(a, '/papers?date=2025-03-12&p=2');
  assert.equal(past.status, 404);
  assertHtmlPage(past);
  const bad = await get(a, '/papers?date=2025-03-12&p=-1');
  assert.equal(bad.status, 400);
  assert.match(bad.body, /Invalid page/);
});

test('invalid date, week and month are 400 HTML pages in the site layout', async (t) => {
  const a = await appFor(t, [{ record: paperRecord(), day: '2025-03-12' }]);
  for (const [path, message] of [
    ['/papers?date=2025-13-40', 'Invalid date &quot;2025-13-40&quot;'],
    ['/papers/week/2025-W60', 'Invalid week &quot;2025-W60&quot;'],
    ['/papers/month/2025-13', 'Invalid month &quot;2025-13&quot;'],
    ['/papers?date=2025-03-12&week=2025-W11', 'Give only one of date, week or month'],
  ]) {
    const r = await get(a, path);
    assert.equal(r.status, 400, path);
    assertHtmlPage(r);
    assert.ok(r.body.includes(message), `${path}: ${message}`);
    assert.match(r.body, /Error 400/);
    assert.match(r.body, /by AK and the research community/);
    assert.equal(r.res.headers.get('cache-control'), 'no-store');
  }
});

test('paper page: fields, links, meta description, OpenGraph, canonical, comments anchor', async (t) => {
  const abstract = `We study things. ${'Details follow in a long and winding abstract. '.repeat(8)}`;
  const a = await appFor(t, [
    {
      record: paperRecord({
        id: '2503.11677',
        version: 2,
        title: 'A Paper Worth Reading',
        authors: Array.from({ length: 12 }, (_, i) => `Writer ${i + 1}`),
        abstract,
        categories: ['cs.CV', 'cs.AI'],
        comment: '14 pages, 5 figures',
        journalRef: 'CVPR 2025',
        doi: '10.1234/abcd.5678',
        publishedAt: '2025-03-10T17:00:00Z',
        updatedAt: '2025-03-11T09:00:00Z',
      }),
      day: '2025-03-12',
      upvotes: 17,
    },
  ]);
  await a.db.kysely.updateTable('papers').set({ github_repo: 'https://github.com/acme/paper' }).where('id', '=', '2503.11677').execute();
  const r = await get(a, '/papers/2503.11677');
  assert.equal(r.status, 200);
  assertHtmlPage(r);
  const b = r.body;
  assert.match(b, /<title>A Paper Worth Reading \| Daily Papers<\/title>/);
  const description = /<meta name="description" content="([^"]*)"\/>/.exec(b)?.[1] ?? '';
  assert.ok(description.startsWith('We study things.'), description);
  assert.ok(description.length <= 160 && description.endsWith('…'), description);
  assert.match(b, /<meta property="og:title" content="A Paper Worth Reading"\/>/);
  assert.match(b, /<meta property="og:description" content="We study things\./);
  assert.match(b, /<meta property="og:url" content="http:\/\/localhost:3000\/papers\/2503.11677"\/>/);
  assert.match(b, /<meta property="og:type" content="article"\/>/);
  assert.match(b, /<link rel="canonical" href="http:\/\/localhost:3000\/papers\/2503.11677"\/>/);
  assert.match(b, /<link rel="alternate" type="text\/markdown" href="\/papers\/2503.11677.md"/);

  assert.match(b, /<h1 id="paper-title">A Paper Worth Reading<\/h1>/);
  assert.match(b, /Writer 1, Writer 2,[^<]*Writer 12<\/div>/, 'all authors, none folded');
  assert.ok(b.includes(abstract.trim()), 'full abstract');
  assert.match(b, /cs.CV<\/li><li class="chip">cs.AI/);
  assert.match(b, /<time datetime="2025-03-10T17:00:00Z">Mar 10, 2025<\/time>/);
  assert.match(b, /<time datetime="2025-03-11T09:00:00Z">Mar 11, 2025<\/time>/);
  assert.match(b, /Featured on <a href="\/papers\?date=2025-03-12">Mar 12, 2025<\/a>/);
  assert.match(b, /href="https:\/\/arxiv.org\/abs\/2503.11677"/);
  assert.match(b, /href="https:\/\/arxiv.org\/pdf\/2503.11677"/);
  assert.match(b, /<a href="https:\/\/github.com\/acme\/paper"[^>]*>Code<\/a>/);
  assert.match(b, /<dt>Comment<\/dt><dd>14 pages, 5 figures<\/dd>/);
  assert.match(b, /<dt>Journal ref<\/dt><dd>CVPR 2025<\/dd>/);
  assert.match(b, /<a href="https:\/\/doi.org\/10.1234\/abcd.5678">10.1234\/abcd.5678<\/a>/);
  assert.match(b, /<span class="n">17<\/span>/);
  assert.match(b, /<section id="comments"[^>]*>[\s\S]*No comments yet[\s\S]*Log in to comment/);
  assert.equal(b.match(/<h1[ >]/g)?.length, 1);
});

test('versioned and prefixed ids redirect 301 to the canonical URL; old-style ids work with their slash', async (t) => {
  const a = await appFor(t, [
    { record: paperRecord({ id: '2503.11677' }), day: '2025-03-12' },
    { record: paperRecord({ id: 'math/9310227', title: 'An old-style paper', categories: ['math.AG'] }), day: '2025-03-11' },
  ]);
  const v = await get(a, '/papers/2503.11677v2');
  assert.equal(v.status, 301);
  assert.equal(v.res.headers.get('location'), '/papers/2503.11677');
  const vmd = await get(a, '/papers/2503.11677v1.md');
  assert.equal(vmd.status, 301);
  assert.equal(vmd.res.headers.get('location'), '/papers/2503.11677.md');
  const prefixed = await get(a, '/papers/arXiv:2503.11677');
  assert.equal(prefixed.status, 301);
  assert.equal(prefixed.res.headers.get('location'), '/papers/2503.11677');

  const old = await get(a, '/papers/math/9310227');
  assert.equal(old.status, 200);
  assert.match(old.body, /<h1 id="paper-title">An old-style paper<\/h1>/);
  assert.match(old.body, /href="https:\/\/arxiv.org\/abs\/math\/9310227"/);
  assert.match(old.body, /<link rel="canonical" href="http:\/\/localhost:3000\/papers\/math\/9310227"\/>/);
  const oldV = await get(a, '/papers/math/9310227v3');
  assert.equal(oldV.status, 301);
  assert.equal(oldV.res.headers.get('location'), '/papers/math/9310227');
  const oldMd = await get(a, '/papers/math/9310227.md');
  assert.equal(oldMd.status, 200);
  assert.match(oldMd.body, /^# An old-style paper\n/);
  // Cards link old-style ids with the slash as a path separator.
  const day = await get(a, '/papers?date=2025-03-11');
  assert.deepEqual(cardIds(day.body), ['math/9310227']);
});

test('/papers/<id>.md is the paper as Markdown', async (t) => {
  const a = await appFor(t, [
    {
      record: paperRecord({
        id: '2503.11677',
        title: 'Markdown Paper',
        authors: ['Ada Lovelace', 'Alan Turing'],
        abstract: 'An abstract.',
        categories: ['cs.LG', 'stat.ML'],
        comment: 'Accepted at ICML',
        journalRef: 'PMLR 200',
        doi: '10.1/xyz',
        publishedAt: '2025-03-10',
        updatedAt: '2025-03-14',
      }),
      day: '2025-03-12',
    },
  ]);
  const r = await get(a, '/papers/2503.11677.md');
  assert.equal(r.status, 200);
  assert.equal(r.type, 'text/markdown; charset=utf-8');
  const md = r.body;
  assert.match(md, /^# Markdown Paper\n\n\*\*Authors:\*\* Ada Lovelace, Alan Turing\n/);
  assert.ok(md.includes('[arXiv:2503.11677](https://arxiv.org/abs/2503.11677)'));
  assert.ok(md.includes('[PDF](https://arxiv.org/pdf/2503.11677)'));
  assert.ok(md.includes('[DOI: 10.1/xyz](https://doi.org/10.1/xyz)'));
  assert.ok(md.includes('**Categories:** cs.LG (primary), stat.ML'));
  assert.ok(md.includes('**Published:** 2025-03-10 · **Updated:** 2025-03-14'));
  assert.ok(md.includes('**Featured:** [2025-03-12](http://localhost:3000/papers?date=2025-03-12)'));
  assert.ok(md.includes('## Abstract\n\nAn abstract.\n'));
  assert.ok(md.includes('**Comment:** Accepted at ICML'));
  assert.ok(md.includes('**Journal ref:** PMLR 200'));

  const missing = await get(a, '/papers/2503.99999.md');
  assert.equal(missing.status, 404);
});

test('404 pages: unknown paper, malformed id, unknown path (HTML in the layout; JSON clients get a problem)', async (t) => {
  const a = await appFor(t, [{ record: paperRecord(), day: '2025-03-12' }]);
  const unknown = await get(a, '/papers/2503.99999');
  assert.equal(unknown.status, 404);
  assertHtmlPage(unknown);
  assert.match(unknown.body, /<h1 id="error-title">Page not found<\/h1>/);
  assert.match(unknown.body, /Paper 2503.99999 is not on this hub/);
  assert.match(unknown.body, /<meta name="robots" content="noindex"\/>/);

  for (const path of ['/papers/not-an-id', '/papers/1313.00001', '/papers/week/2025-W11/extra', '/no/such/page']) {
    const r = await get(a, path);
    assert.equal(r.status, 404, path);
    assertHtmlPage(r);
    assert.match(r.body, /Page not found/, path);
    assert.match(r.body, /<a href="\/subscribe">Subscribe<\/a>/, path);
  }
  const json = await get(a, '/no/such/page', { accept: 'application/json' });
  assert.equal(json.status, 404);
  assert.match(json.type, /application\/problem\+json/);
});

test('user data is escaped: a <script> title shows as text; unsafe link schemes are dropped', async (t) => {
  const evil = 'Evil <script>alert(1)</script> & "quotes"';
  const a = await appFor(t, [
    { record: paperRecord({ id: '2503.00666', title: evil, authors: ['<img src=x onerror=alert(1)>'], abstract: '</summary><script>x()</script>' }), day: '2025-03-12' },
  ]);
  await a.db.kysely.updateTable('papers').set({ project_page: 'javascript:alert(1)', github_repo: 'https://github.com/a/b"><script>' }).execute();
  for (const path of ['/', '/papers/2503.00666', '/search?q=%3Cscript%3Ealert(1)%3C/script%3E']) {
    const r = await get(a, path);
    assert.equal(r.status, 200, path);
    assert.doesNotMatch(r.body, /<script/i, path);
    assert.doesNotMatch(r.body, /<img src=x/, path);
    assert.ok(r.body.includes('&lt;script&gt;'), path);
    assert.doesNotMatch(r.body, /javascript:/, path);
  }
  const page = await get(a, '/papers/2503.00666');
  assert.ok(page.body.includes('Evil &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;'));
  const md = await get(a, '/papers/2503.00666.md');
  assert.match(md.body, /^# Evil \\<script>alert\(1\)\\<\/script> & "quotes"\n/);
  assert.equal(md.res.headers.get('x-content-type-options'), 'nosniff');
});

test('empty instance: a friendly empty state explaining import and fetch', async (t) => {
  const a = await appFor(t);
  for (const path of ['/', '/papers']) {
    const r = await get(a, path);
    assert.equal(r.status, 200, path);
    assertHtmlPage(r);
    assert.match(r.body, /No papers yet/);
    assert.match(r.body, /dailypapers import/);
    assert.match(r.body, /dailypapers fetch/);
    assert.match(r.body, /by AK and the research community/);
  }
  const week = await get(a, '/papers/week/2025-W11');
  assert.equal(week.status, 200);
  assert.match(week.body, /No papers in Week 11, 2025/);
});

test('subscribe page and search page; search jumps straight to a pasted arXiv id', async (t) => {
  const a = await appFor(t, [{ record: paperRecord({ id: '2503.11677' }), day: '2025-03-12' }]);
  const sub = await get(a, '/subscribe');
  assert.equal(sub.status, 200);
  assertHtmlPage(sub);
  assert.match(sub.body, /Get trending papers in your email inbox/);
  const search = await get(a, '/search?q=diffusion+models');
  assert.equal(search.status, 200);
  assert.match(search.body, /<h1>Search<\/h1>/);
  assert.match(search.body, /name="q" value="diffusion models"/);
  const jump = await get(a, '/search?q=https%3A%2F%2Farxiv.org%2Fabs%2F2503.11677v2');
  assert.equal(jump.status, 302);
  assert.equal(jump.res.headers.get('location'), '/papers/2503.11677');
  const alias = await get(a, '/papers/date/2025-03-12');
  assert.equal(alias.status, 301);
  assert.equal(alias.res.headers.get('location'), '/papers?date=2025-03-12');
});
