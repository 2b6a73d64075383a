import { sql } from 'kysely';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../src/cli/main.ts';
import { importPaths } from '../src/ingest/pipeline.ts';
import { flushSearchIndex, searchIndexHook, searchPapers } from '../src/search/index.ts';
import { runCli } from './support/cli.ts';
import { dayRecords, getText, HOSTILE, OTHER_DAY_FILE, resultIds, searchWorld, type SearchWorld } from './support/search.ts';

const q = (s: string) => `/search?q=${encodeURIComponent(s)}`;
const unescape = (s: string) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');

/** Active filter chips: [label, href]. */
function chips(html: string): [string, string][] {
  const list = /<ul class="filter-chips" aria-label="Active filters">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '';
  return [...list.matchAll(/<a href="([^"]+)" class="filter-chip"[^>]*>([^<]*?) <span/g)].map((m) => [m[2]!, unescape(m[1]!)]);
}

describe('search page on a real day (610 records)', () => {
  let t: SearchWorld;
  const records = dayRecords();
  const byId = new Map(records.map((r) => [r.id, r]));

  before(async () => {
    t = await searchWorld();
  });
  after(async () => {
    await t.cleanup();
  });

  it('imports the day and indexes every paper', async () => {
    assert.equal(t.stats.inserted, 484);
    const n = (await sql<{ n: number }>`SELECT count(*) AS n FROM search_docs WHERE embedded = 1`.execute(t.db.kysely)).rows[0];
    assert.equal(Number(n.n), 484, 'every paper embedded by the import hook');
  });

  it('exact-title queries return that paper first, with the title highlighted and a featured badge', async () => {
    // Spread over the file, so that the sample is not just the first few papers.
    const sample = records.filter((_, i) => i % 60 === 7);
    assert.ok(sample.length >= 8);
    for (const r of sample) {
      const res = await getText(t, q(r.title));
      assert.equal(res.status, 200);
      assert.equal(resultIds(res.body)[0], r.id, `"${r.title}" should come first`);
    }
    const res = await getText(t, q('Roots Beneath the Cut'));
    assert.match(res.body, /<a href="\/papers\/2603\.06640"><mark>Roots<\/mark> <mark>Beneath<\/mark> the <mark>Cut<\/mark>/);
    assert.match(res.body, /<a class="featured-badge" href="\/papers\?date=2026-03-10">Featured on Mar 10, 2026<\/a>/);
    assert.match(res.body, /<p class="snippet">[^<]*(<mark>|…)/);
    assert.equal(res.res.headers.get('cache-control'), 'public, max-age=60');
  });

  it('"exact phrase" requires the words side by side; -word excludes', async () => {
    const phrase = await searchPapers(t.db, { q: '"diffusion models"', limit: 200, mode: 'hybrid' });
    assert.ok(phrase.total >= 5);
    for (const h of phrase.hits) assert.match(`${h.paper.title} ${h.paper.abstract}`, /diffusion models?\b/i, h.paperId);
    const html = await getText(t, q('"diffusion models"'));
    assert.ok(resultIds(html.body).length > 0);

    // Counts in keyword mode: hybrid adds up to 100 nearest neighbours to any query.
    const all = await searchPapers(t.db, { q: 'diffusion', limit: 200, mode: 'keyword' });
    const minus = await searchPapers(t.db, { q: 'diffusion -video', limit: 200, mode: 'keyword' });
    assert.ok(minus.total > 0 && minus.total < all.total);
    const hybrid = await searchPapers(t.db, { q: 'diffusion -video', limit: 200, mode: 'hybrid' });
    for (const h of [...minus.hits, ...hybrid.hits]) assert.doesNotMatch(`${h.paper.title} ${h.paper.abstract}`, /\bvideos?\b/i, h.paperId);
    const page = await getText(t, q('diffusion -video'));
    for (const id of resultIds(page.body)) assert.doesNotMatch(`${byId.get(id)!.title} ${byId.get(id)!.summary}`, /\bvideos?\b/i);
  });

  it('cat:, year:, has:code and author: filter, and show removable chips', async () => {
    const cat = await getText(t, q('language models cat:cs.CL'));
    const ids = resultIds(cat.body);
    assert.ok(ids.length > 0);
    for (const id of ids) assert.ok(byId.get(id)!.categories.includes('cs.CL'), id);
    assert.deepEqual(chips(cat.body), [['Category: cs.CL', '/search?q=language+models']]);
    assert.match(cat.body, /Notes about your search|results for/);

    const code = await getText(t, q('has:code diffusion'));
    assert.deepEqual(chips(code.body), [['Has code', '/search?q=diffusion']]);
    const withCode = await searchPapers(t.db, { q: 'has:code diffusion', limit: 200 });
    assert.ok(withCode.total > 0);
    for (const h of withCode.hits) assert.ok(h.paper.githubRepo, h.paperId);

    const year = await getText(t, q('year:2026 diffusion'));
    assert.deepEqual(chips(year.body), [['Year: 2026', '/search?q=diffusion']]);
    assert.ok(resultIds(year.body).length > 0);

    const author = records[3]!.authors[0]!;
    const byAuthor = await getText(t, q(`author:"${author}"`));
    assert.ok(resultIds(byAuthor.body).includes(records[3]!.id));
    assert.deepEqual(chips(byAuthor.body).map((c) => c[0]), [`Author: ${author}`]);
  });

  it('form controls filter like the syntax; each chip removes only its own filter', async () => {
    const res = await getText(t, '/search?q=diffusion+year%3A2026&cat=cs.CV&has=code&sort=newest');
    const got = chips(res.body);
    assert.deepEqual(got.map((c) => c[0]).sort(), ['Category: cs.CV', 'Has code', 'Year: 2026']);
    const href = new Map(got);
    assert.equal(href.get('Category: cs.CV'), '/search?q=diffusion+year%3A2026&has=code&sort=newest');
    assert.equal(href.get('Has code'), '/search?q=diffusion+year%3A2026&cat=cs.CV&sort=newest');
    assert.equal(href.get('Year: 2026'), '/search?q=diffusion&cat=cs.CV&has=code&sort=newest');
    for (const id of resultIds(res.body)) assert.ok(byId.get(id)!.categories.includes('cs.CV'));
    // The form keeps the state: selected category, checked box, chosen sort.
    assert.match(res.body, /<option value="cs\.CV" selected="">cs\.CV \(\d+\)<\/option>/);
    assert.match(res.body, /<input type="checkbox" name="has" value="code" checked=""\/>/);
    assert.match(res.body, /<option value="newest" selected="">Newest<\/option>/);
    assert.match(res.body, /Clear all filters/);
  });

  it('a filter that leaves nothing says so and offers to remove it, with the count that brings back', async () => {
    const res = await getText(t, q('diffusion year:2024'));
    assert.equal(res.status, 200);
    assert.deepEqual(resultIds(res.body), []);
    assert.match(res.body, /No results for/);
    const m = /<a href="([^"]+)">Remove “Year: 2024”: (\d+) results?<\/a>/.exec(res.body);
    assert.ok(m, 'offers removing the year');
    assert.equal(unescape(m[1]!), '/search?q=diffusion');
    const back = await getText(t, unescape(m[1]!));
    assert.ok(resultIds(back.body).length > 0);
  });

  it('facets: category and year counts as links that narrow the search', async () => {
    const res = await getText(t, q('diffusion'));
    const m = /<aside class="facets"[^>]*>([\s\S]*?)<\/aside>/.exec(res.body);
    assert.ok(m, 'facets shown');
    assert.match(m[1]!, /<a href="\/search\?q=diffusion&amp;cat=cs\.CV">cs\.CV<\/a><span class="n">\d+<\/span>/);
    assert.match(m[1]!, /<a href="\/search\?q=diffusion&amp;year=2026">2026<\/a>/);
  });

  it('sorting and paging: 20 per page, newest and most upvoted', async () => {
    const res = await getText(t, q('learning'));
    assert.equal(resultIds(res.body).length, 20);
    const next = /<a href="([^"]+)" rel="next"/.exec(res.body);
    assert.ok(next);
    const page2 = await getText(t, unescape(next[1]!));
    assert.equal(resultIds(page2.body).length, 20);
    assert.equal(resultIds(page2.body).filter((id) => resultIds(res.body).includes(id)).length, 0, 'page 2 repeats nothing from page 1');
    await t.db.kysely.updateTable('papers').set({ upvotes: 99 }).where('id', '=', resultIds(page2.body)[5]!).execute();
    const top = await getText(t, `${q('learning')}&sort=upvotes`);
    assert.equal(resultIds(top.body)[0], resultIds(page2.body)[5]);
    assert.match(top.body, /<a href="[^"]*sort=upvotes" aria-current="page">Most upvoted<\/a>/);
    const beyond = await getText(t, `${q('learning')}&page=400`);
    assert.equal(beyond.status, 200);
    assert.match(beyond.body, /Go to the first page/);
  });

  it('hostile queries never fail and are escaped', async () => {
    for (const s of HOSTILE) {
      for (const extra of ['', '&mode=keyword', '&mode=semantic', '&sort=newest']) {
        const res = await getText(t, q(s) + extra);
        assert.equal(res.status, 200, `${JSON.stringify(s)}${extra}`);
        assert.doesNotMatch(res.body, /<script/i, JSON.stringify(s));
      }
    }
    const res = await getText(t, q('<script>alert(1)</script>'));
    assert.ok(res.body.includes('value="&lt;script&gt;alert(1)&lt;/script&gt;"'));
    const long = await getText(t, q('y'.repeat(400)));
    assert.match(long.body, /shortened to its first 250 characters/);
    const odd = await getText(t, '/search?q=x&sort=sideways&mode=psychic&page=abc&year=20x6');
    assert.equal(odd.status, 200);
    assert.match(odd.body, /Unknown sort &quot;sideways&quot;/);
    assert.match(odd.body, /ignored year/);
  });

  it('no query: a helpful page; an arXiv id or URL jumps to the paper', async () => {
    const res = await getText(t, '/search');
    assert.equal(res.status, 200);
    assert.match(res.body, /<details class="search-help" open="">/);
    assert.match(res.body, /author:hinton/);
    assert.match(res.body, /has:code/);
    const jump = await getText(t, q('https://arxiv.org/abs/2603.06640v1'));
    assert.equal(jump.status, 302);
    assert.equal(jump.res.headers.get('location'), '/papers/2603.06640');
  });

  it('a paper page lists 10 similar papers, never itself', async () => {
    for (const id of ['2603.06640', records[100]!.id, records[300]!.id]) {
      const res = await getText(t, `/papers/${id}`);
      assert.equal(res.status, 200);
      const section = /<section class="similar" aria-labelledby="similar-title">([\s\S]*?)<\/section>/.exec(res.body)?.[1];
      assert.ok(section, `similar papers on ${id}`);
      const links = [...section.matchAll(/<a href="\/papers\/([^"]+)">/g)].map((m) => m[1]);
      assert.equal(links.length, 10);
      assert.ok(!links.includes(id), 'excludes the paper itself');
      assert.equal(new Set(links).size, 10);
    }
  });

  it('stays in sync: a second import, a re-import, and a new version with a new title', async () => {
    const other = dayRecords(OTHER_DAY_FILE);
    const hook = { onChanged: searchIndexHook(t.db) };
    await importPaths(t.db, [OTHER_DAY_FILE], hook);
    await flushSearchIndex(t.db);
    const target = other.find((r) => !byId.has(r.id))!;
    assert.equal(resultIds((await getText(t, q(target.title))).body)[0], target.id);
    const again = await importPaths(t.db, [OTHER_DAY_FILE], hook);
    assert.equal(again.inserted + again.updated, 0);
    const once = await searchPapers(t.db, { q: `"${target.title}"`, mode: 'keyword', limit: 50 });
    assert.equal(once.hits.filter((h) => h.paperId === target.id).length, 1, 'no duplicate after a re-import');

    // v2 of 2603.06640 takes over the title and abstract of another paper (B): the old title is
    // gone from the keyword index, the new one is found, and its vector moved next to B's.
    const b = records[200]!;
    const v2 = { ...byId.get('2603.06640')!, id: '2603.06640v2', title: b.title, summary: b.summary };
    const file = path.join(t.dir, 'v2.jsonl');
    fs.writeFileSync(file, JSON.stringify(v2) + '\n');
    const up = await importPaths(t.db, [file], hook);
    await flushSearchIndex(t.db);
    assert.equal(up.updated, 1);
    const old = await searchPapers(t.db, { q: '"Roots Beneath the Cut"', mode: 'keyword' });
    assert.equal(old.total, 0, 'the old title is no longer found');
    const page = await getText(t, q('"Roots Beneath the Cut"'));
    assert.deepEqual(resultIds(page.body), []);
    const fresh = await searchPapers(t.db, { q: b.title, mode: 'keyword', limit: 5 });
    assert.deepEqual(fresh.hits.slice(0, 2).map((h) => h.paperId).sort(), ['2603.06640', b.id].sort());
    const sem = await searchPapers(t.db, { q: `${b.title}. ${b.summary}`, mode: 'semantic', limit: 5 });
    assert.equal(sem.parsed.mode, 'semantic');
    assert.deepEqual(sem.hits.slice(0, 2).map((h) => h.paperId).sort(), ['2603.06640', b.id].sort(), 'the vector was re-embedded');
  });
});

describe('dailypapers index', () => {
  /** The same CLI in this process, for the cheap checks (the rebuild itself is spawned). */
  async function inProcess(args: string[]) {
    const out = new PassThrough();
    const err = new PassThrough();
    let stdout = '';
    let stderr = '';
    out.on('data', (d) => (stdout += d));
    err.on('data', (d) => (stderr += d));
    const code = await main(args, { stdout: out, stderr: err, env: { SEARCH_PROVIDER: 'builtin' }, cwd: process.cwd() });
    return { code, stdout, stderr };
  }

  it('rebuild: exit 0 with a summary; status reports the index; bad input is refused', async () => {
    const t = await searchWorld();
    const file = t.db.location;
    await t.db.close();
    try {
      const r = await runCli(['index', 'rebuild', '--db', file], { SEARCH_PROVIDER: 'builtin' });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /search index rebuilt in [\d.]+ s: 484 papers in the keyword index, 484 vectors \(builtin lsa-/);
      assert.match(r.stderr, /embedding: 484 papers/);
      const s = await inProcess(['index', 'status', '--db', file]);
      assert.equal(s.code, 0, s.stderr);
      assert.match(s.stdout, /papers\s+484/);
      assert.match(s.stdout, /pending\s+0 papers to embed/);
      assert.match(s.stdout, t.db.dialect === 'postgres' ? /vector store\s+[\d.]+ MB in the database/ : /vector file\s+[\d.]+ MB/);
      const bad = await inProcess(['index', 'rebuild', '--db', file, '--provider', 'nonsense']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /unknown embedding provider/);
      assert.equal((await inProcess(['index', 'polish'])).code, 2);
      assert.equal((await inProcess(['index'])).code, 2);
    } finally {
      fs.rmSync(t.dir, { recursive: true, force: true });
    }
  });
});
