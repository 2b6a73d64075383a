import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { upsertPapers } from '../src/storage/papers-repo.ts';
import { dailyPaperItemSchema, problemSchema } from '../src/web/api/schemas.ts';
import { searchPaperItemSchema, searchResponseSchema } from '../src/web/api/search-schemas.ts';
import { paperRecord } from './support/db.ts';
import { runCli, startServer, waitForExit } from './support/cli.ts';
import { DAY_FILE, dayRecords, getJson, HOSTILE, searchWorld, type SearchWorld } from './support/search.ts';

const enc = encodeURIComponent;

describe('search APIs on a real day (610 records)', () => {
  let t: SearchWorld;
  const records = dayRecords();

  before(async () => {
    t = await searchWorld();
  });
  after(async () => {
    await t.cleanup();
  });

  async function problem(p: string, param: string) {
    const r = await getJson(t, p);
    assert.equal(r.status, 400, `${p}: ${JSON.stringify(r.body)}`);
    assert.match(r.type, /^application\/problem\+json/);
    problemSchema.parse(r.body);
    assert.equal(r.body.param, param, p);
    assert.ok(r.body.detail.includes(param), `detail "${r.body.detail}" names ${param}`);
  }

  it('/api/papers/search: an exact title comes first, in the /api/daily_papers item shape', async () => {
    for (const r of records.filter((_, i) => i % 97 === 5)) {
      const res = await getJson(t, `/api/papers/search?q=${enc(r.title)}`);
      assert.equal(res.status, 200);
      assert.equal(res.body[0].paper.id, r.id, r.title);
      assert.ok(res.body.length <= 50, 'default limit 50');
      for (const item of res.body) searchPaperItemSchema.parse(item);
      // Featured papers are exactly daily-papers items (Hugging Face clients parse them as such).
      dailyPaperItemSchema.parse(res.body[0]);
    }
    const res = await getJson(t, '/api/papers/search?q=diffusion&limit=7');
    assert.equal(res.body.length, 7);
    assert.equal(res.res.headers.get('cache-control'), 'public, max-age=60');
    assert.equal(res.res.headers.get('access-control-allow-origin'), '*');
    assert.ok(Number(res.res.headers.get('x-total-count')) >= 7);
    const id = await getJson(t, '/api/papers/search?q=2603.06640v1');
    assert.deepEqual(id.body.map((i: any) => i.paper.id), ['2603.06640']);
  });

  it('/api/papers/search: a paper never featured is found too, without the submission fields', async () => {
    await upsertPapers(t.db, [paperRecord({ id: '2501.99999', title: 'Zygomorphic quasicrystal tessellations never featured', abstract: 'A paper nobody put on the feed.' })], '2026-03-11T00:00:00.000Z');
    const res = await getJson(t, `/api/papers/search?q=${enc('zygomorphic quasicrystal')}`);
    assert.equal(res.body[0].paper.id, '2501.99999');
    const item = searchPaperItemSchema.parse(res.body[0]);
    assert.equal(item.submittedBy, undefined);
    assert.equal(item.paper.submittedOnDailyAt, undefined);
    assert.equal(item.publishedAt, '2025-03-10T00:00:00.000Z');
  });

  it('/api/search: scores, snippet, featuredDay, facets and the parsed query', async () => {
    const r = records[42]!;
    const res = await getJson(t, `/api/search?q=${enc(r.title)}`);
    assert.equal(res.status, 200);
    const body = searchResponseSchema.parse(res.body);
    assert.equal(body.results[0]!.paper.id, r.id);
    assert.equal(body.results[0]!.featuredDay, '2026-03-10');
    assert.equal(body.page, 1);
    assert.equal(body.limit, 20);
    assert.equal(body.query.mode, 'hybrid');
    assert.ok(body.results[0]!.scores.keyword !== undefined && body.results[0]!.scores.vector !== undefined);
    assert.match(body.results[0]!.titleHtml, /<mark>/);
    assert.ok(body.facets.categories.length > 0 && body.facets.years.length > 0);

    const kw = await getJson(t, `/api/search?q=diffusion&mode=keyword&limit=5&page=2`);
    assert.equal(kw.body.query.mode, 'keyword');
    assert.equal(kw.body.results.length, 5);
    for (const x of kw.body.results) assert.equal(x.scores.vector, undefined);
  });

  it('/api/search: filters as parameters and as syntax agree, and are reported', async () => {
    const a = await getJson(t, '/api/search?q=language&cat=cs.CL&year=2026&limit=100&mode=keyword');
    const b = await getJson(t, `/api/search?q=${enc('language cat:cs.CL year:2026')}&limit=100&mode=keyword`);
    assert.deepEqual(a.body.results.map((x: any) => x.paper.id), b.body.results.map((x: any) => x.paper.id));
    assert.ok(a.body.total > 0);
    for (const x of a.body.results) assert.ok(x.paper.categories.includes('cs.CL'));
    assert.deepEqual(a.body.query.filters.map((f: any) => f.label).sort(), ['Category: cs.CL', 'Year: 2026']);

    const code = await getJson(t, '/api/search?has=code&limit=100');
    assert.ok(code.body.total > 0, 'a filter alone lists papers');
    for (const x of code.body.results) assert.ok(x.paper.githubRepo);
    const two = await getJson(t, '/api/search?q=learning&cat=cs.CL&cat=cs.RO&limit=100&mode=keyword');
    for (const x of two.body.results) assert.ok(x.paper.categories.includes('cs.CL') || x.paper.categories.includes('cs.RO'));
    assert.ok(two.body.results.some((x: any) => x.paper.categories.includes('cs.RO')));

    const newest = await getJson(t, '/api/search?q=learning&sort=newest&limit=50');
    const dates = newest.body.results.map((x: any) => x.paper.publishedAt);
    assert.deepEqual(dates, [...dates].sort().reverse());
    const range = await getJson(t, '/api/search?q=learning&after=2025-01-01&before=2025-06-30');
    assert.equal(range.body.total, 0);
    assert.deepEqual(range.body.query.filters.map((f: any) => f.key).sort(), ['after', 'before']);
    const warn = await getJson(t, `/api/search?q=${enc('learning has:money')}`);
    assert.match(warn.body.query.warnings.join(' '), /has:money/);
  });

  it('limits and errors: 400 problems that name the parameter', async () => {
    await problem('/api/papers/search?q=x&limit=0', 'limit');
    await problem('/api/papers/search?q=x&limit=121', 'limit');
    await problem('/api/papers/search?q=x&limit=ten', 'limit');
    await problem('/api/papers/search', 'q');
    await problem('/api/papers/search?q=', 'q');
    await problem('/api/papers/search?q=%20%20', 'q');
    await problem(`/api/papers/search?q=${'a'.repeat(251)}`, 'q');
    assert.equal((await getJson(t, `/api/papers/search?q=${'a'.repeat(250)}&limit=120`)).status, 200);
    assert.equal((await getJson(t, '/api/papers/search?q=learning&limit=120')).body.length, 120);

    await problem('/api/search', 'q');
    await problem(`/api/search?q=${'a'.repeat(251)}`, 'q');
    await problem('/api/search?q=x&limit=0', 'limit');
    await problem('/api/search?q=x&limit=101', 'limit');
    await problem('/api/search?q=x&page=0', 'page');
    await problem('/api/search?q=x&page=501', 'page');
    await problem('/api/search?q=x&sort=best', 'sort');
    await problem('/api/search?q=x&mode=magic', 'mode');
    await problem('/api/search?q=x&cat=cs.CL!', 'cat');
    await problem('/api/search?q=x&cat=cs.CL&cat=%3Cb%3E', 'cat');
    await problem('/api/search?q=x&year=20x6', 'year');
    await problem('/api/search?q=x&after=2025-13-01', 'after');
    await problem('/api/search?q=x&before=yesterday', 'before');
    await problem('/api/search?q=x&has=money', 'has');
    await problem(`/api/search?q=x&author=${'a'.repeat(101)}`, 'author');
  });

  it('hostile queries never fail, in every mode', async () => {
    for (const s of HOSTILE) {
      const hf = await getJson(t, `/api/papers/search?q=${enc(s)}`);
      assert.equal(hf.status, 200, JSON.stringify(s));
      for (const mode of ['keyword', 'semantic', 'hybrid']) {
        const r = await getJson(t, `/api/search?q=${enc(s)}&mode=${mode}`);
        assert.equal(r.status, 200, `${JSON.stringify(s)} ${mode}`);
        searchResponseSchema.parse(r.body);
        for (const x of r.body.results) assert.doesNotMatch(`${x.snippet}${x.titleHtml}`, /<(?!\/?mark>)/, 'only <mark> tags in HTML fields');
      }
    }
  });

  it('both endpoints are in the OpenAPI document', async () => {
    const doc = (await getJson(t, '/openapi.json')).body;
    assert.ok(doc.paths['/api/papers/search'].get);
    assert.ok(doc.paths['/api/search'].get);
    const names = doc.paths['/api/search'].get.parameters.map((p: any) => p.name);
    assert.deepEqual(names, ['q', 'cat', 'year', 'after', 'before', 'author', 'has', 'sort', 'mode', 'page', 'limit']);
    assert.equal(doc.paths['/api/papers/search'].get.parameters.find((p: any) => p.name === 'q').required, true);
    for (const c of ['SearchPaperItem', 'SearchFeedPaper', 'SearchResponse', 'SearchResult']) assert.ok(doc.components.schemas[c], c);
  });

});

describe('serve keeps the vector index', () => {
  it('builds a missing vector index in the background; search turns hybrid when it is ready', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-search-serve-'));
    const db = path.join(dir, 'x.sqlite');
    try {
      // Imported with vectors off: only the keyword index exists.
      const imp = await runCli(['import', '--db', db, DAY_FILE], { SEARCH_PROVIDER: 'none' });
      assert.equal(imp.code, 0, imp.stderr);
      assert.equal(fs.existsSync(`${db}.vectors.usearch`), false);
      const server = await startServer(['--db', db, '--no-sample'], { SEARCH_PROVIDER: 'builtin', DIGEST_CRON: 'off' });
      try {
        const first = await (await fetch(`${server.url}/api/search?q=diffusion`)).json();
        assert.ok(['keyword', 'hybrid'].includes(first.query.mode));
        let mode = first.query.mode;
        for (let i = 0; i < 120 && mode !== 'hybrid'; i++) {
          await new Promise((r) => setTimeout(r, 500));
          mode = (await (await fetch(`${server.url}/api/search?q=diffusion+${i}`)).json()).query.mode;
        }
        assert.equal(mode, 'hybrid', server.output());
        assert.ok(fs.existsSync(`${db}.vectors.usearch`));
      } finally {
        server.child.kill('SIGTERM');
        assert.equal(await waitForExit(server.child), 0);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
