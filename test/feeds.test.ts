/** Atom, RSS 2.0 and JSON Feed for the daily feed, trending and searches; parsed back. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser } from 'fast-xml-parser';
import { paperRecord, seedFeatured, testApp } from './support/db.ts';
import { upsertPapers } from '../src/storage/papers-repo.ts';

type App = Awaited<ReturnType<typeof testApp>>;
const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' });
const list = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

async function seeded(t: import('node:test').TestContext): Promise<App> {
  const a = await testApp();
  t.after(() => a.cleanup());
  await seedFeatured(a.db, [
    { record: paperRecord({ id: '2503.00001', title: 'Attention & <Friends>', abstract: 'We study attention. It works.' }), day: '2025-03-12', upvotes: 5 },
    { record: paperRecord({ id: '2503.00002', title: 'Second paper', categories: ['cs.CL'] }), day: '2025-03-11', upvotes: 9 },
  ]);
  await a.db.kysely.updateTable('papers').set({ trending_score: 3, trending_at: '2025-03-12T12:00:00.000Z' }).where('id', '=', '2503.00001').execute();
  await a.db.kysely.updateTable('papers').set({ trending_score: 1, trending_at: '2025-03-12T12:00:00.000Z' }).where('id', '=', '2503.00002').execute();
  await upsertPapers(a.db, [paperRecord({ id: '2503.00003', title: 'Lossless KV cache compression', categories: ['cs.LG'] })], '2025-03-12T06:00:00.000Z');
  return a;
}

async function fetchFeed(a: App, path: string, type: string) {
  const res = await a.app.request(path);
  assert.equal(res.status, 200, path);
  assert.equal(res.headers.get('content-type'), `${type}; charset=utf-8`, path);
  assert.match(res.headers.get('cache-control') ?? '', /max-age/);
  return res.text();
}

test('the daily feed in Atom, RSS and JSON Feed parses back with the featured papers', async (t) => {
  const a = await seeded(t);
  const atom = xml.parse(await fetchFeed(a, '/papers/feed.xml', 'application/atom+xml'));
  const entries = list(atom.feed.entry);
  // Atom titles are type="html": the paper's text, HTML-escaped (so "<Friends>" is not a tag).
  assert.deepEqual(entries.map((e: any) => [e.title['@type'], e.title['#text']]), [['html', 'Attention &amp; &lt;Friends&gt;'], ['html', 'Second paper']]);
  assert.equal(list(entries[0].link)[0]['@href'], 'http://localhost:3000/papers/2503.00001');
  assert.equal(list(atom.feed.link).find((l: any) => l['@rel'] === 'self')['@href'], 'http://localhost:3000/papers/feed.xml');

  for (const path of ['/papers/feed.rss', '/papers/feed.xml?format=rss']) {
    const rss = xml.parse(await fetchFeed(a, path, 'application/rss+xml'));
    assert.equal(rss.rss['@version'], '2.0');
    assert.equal(list(rss.rss.channel.item)[0].title, 'Attention & <Friends>');
    assert.deepEqual(list(rss.rss.channel.item).map((i: any) => i.link), ['http://localhost:3000/papers/2503.00001', 'http://localhost:3000/papers/2503.00002']);
  }
  for (const path of ['/papers/feed.json', '/papers/feed.xml?format=json']) {
    const json = JSON.parse(await fetchFeed(a, path, 'application/feed+json'));
    assert.match(json.version, /jsonfeed\.org\/version\/1/);
    assert.equal(json.items[0].title, 'Attention & <Friends>');
    assert.equal(json.items[0].url, 'http://localhost:3000/papers/2503.00001');
    assert.match(json.items[0].summary, /We study attention\./);
  }
  assert.equal((await a.app.request('/papers/feed.xml?format=yaml')).status, 400);
});

test('trending and search feeds; search validates q', async (t) => {
  const a = await seeded(t);
  const atom = xml.parse(await fetchFeed(a, '/papers/trending/feed.xml', 'application/atom+xml'));
  assert.deepEqual(list(atom.feed.entry).map((e: any) => list(e.link)[0]['@href']), ['http://localhost:3000/papers/2503.00001', 'http://localhost:3000/papers/2503.00002']);
  const rss = xml.parse(await fetchFeed(a, '/papers/trending/feed.rss', 'application/rss+xml'));
  assert.equal(list(rss.rss.channel.item).length, 2);

  const search = xml.parse(await fetchFeed(a, `/search/feed.xml?q=${encodeURIComponent('"KV cache" compression')}`, 'application/atom+xml'));
  assert.deepEqual(list(search.feed.entry).map((e: any) => list(e.link)[0]['@href']), ['http://localhost:3000/papers/2503.00003']);
  assert.match(String(search.feed.title['#text'] ?? search.feed.title), /KV cache/);
  const cat = JSON.parse(await fetchFeed(a, `/search/feed.json?q=${encodeURIComponent('cat:cs.CL')}`, 'application/feed+json'));
  assert.deepEqual(cat.items.map((i: any) => i.id), ['http://localhost:3000/papers/2503.00002']);
  const none = xml.parse(await fetchFeed(a, '/search/feed.rss?q=nothing+matches+this', 'application/rss+xml'));
  assert.equal(list(none.rss.channel.item).length, 0);
  for (const q of ['', '%0d%0aX-Injected:%201', 'cat:%3Cscript%3E', 'x'.repeat(201)]) {
    assert.equal((await a.app.request(`/search/feed.xml?q=${q}`)).status, 400, q);
  }
});

test('pages announce their feeds with <link rel="alternate">', async (t) => {
  const a = await seeded(t);
  for (const path of ['/', '/subscribe']) {
    const html = await (await a.app.request(path)).text();
    assert.match(html, /<link rel="alternate" type="application\/atom\+xml" href="\/papers\/feed.xml"/, path);
  }
});
