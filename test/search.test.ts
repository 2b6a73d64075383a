import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { freshDb, paperRecord } from './support/db.ts';
import { configureSearch, flushSearchIndex, rebuildIndex, searchIndexHook, searchPapers, similarPapers, syncSearchIndex } from '../src/search/index.ts';
import { importItems, importPaths, emptyStats } from '../src/ingest/pipeline.ts';
import { upsertPapers } from '../src/storage/papers-repo.ts';
import type { PaperRecord, ParseItem } from '../src/domain/paper.ts';
import { LsaProvider } from '../src/search/embeddings/lsa.ts';
import { sql } from 'kysely';
import type { Db } from '../src/storage/db.ts';

const SHARED = path.resolve(import.meta.dirname, '../../shared/data');
const NOW = '2025-03-12T00:00:00.000Z';

async function* items(records: PaperRecord[]): AsyncIterable<ParseItem> {
  let line = 0;
  for (const record of records) yield { ok: true, record, line: ++line };
}

const TOPICS = [
  ['KV cache compression for long-context LLM inference', 'We compress the key-value cache of transformer attention to cut memory during inference of large language models.'],
  ['Diffusion models for video generation', 'A latent diffusion model generates temporally coherent video from text prompts.'],
  ['Graph neural networks for molecules', 'Message passing networks predict molecular properties from atom graphs.'],
  ['Speculative decoding speeds up language model inference', 'A small draft model proposes tokens that the large model verifies in parallel, reducing latency.'],
  ['Reinforcement learning from human feedback', 'Reward models trained on preferences align chat assistants with human intent.'],
];

/** 60 small papers on five topics, with varied metadata for filters. */
function corpus(): PaperRecord[] {
  const out: PaperRecord[] = [];
  for (let i = 0; i < 60; i++) {
    const [title, abstract] = TOPICS[i % TOPICS.length];
    out.push(
      paperRecord({
        id: `2501.${String(10000 + i).padStart(5, '0')}`,
        title: `${title} ${i}`,
        abstract: `${abstract} Variant ${i} studies ${i % 2 ? 'efficiency' : 'robustness'}.${i % 7 === 0 ? ' Code: https://github.com/example/repo' + i : ''}`,
        authors: i % 3 === 0 ? ['Geoffrey Hinton', 'Ada Lovelace'] : ['Alan Turing'],
        categories: i % 2 ? ['cs.CL', 'cs.LG'] : ['cs.CV'],
        publishedAt: `${2023 + (i % 3)}-0${1 + (i % 9)}-15`,
      }),
    );
  }
  return out;
}

/** The first column of the first row: raw SQL that reads the same on SQLite and PostgreSQL. */
async function one<T = number>(db: Db, q: ReturnType<typeof sql>): Promise<T> {
  const r = await q.execute(db.kysely);
  return Object.values(r.rows[0] as object)[0] as T;
}

async function seeded() {
  const t = await freshDb();
  await configureSearch(t.db, { provider: new LsaProvider({ modelPath: path.join(t.dir, 'model.bin') }) });
  await importItems(t.db, 'test', items(corpus()), { feature: 'never', onChanged: searchIndexHook(t.db) }, emptyStats());
  await flushSearchIndex(t.db);
  return t;
}

test('hostile queries return results or none, in every mode, and never throw', async () => {
  const t = await seeded();
  try {
    const odd = ['"', '"kv cache', '*', 'cache*', 'NEAR(kv cache)', 'kv NEAR cache', '-', '- -', 'AND', 'OR NOT', '^kv', 'title:kv', '{title abstract}: x', '((( cache', "'; DROP TABLE papers; --", '$\\mathcal{O}(n^2)$ attention', '注意力机制', 'naïve Bayes', '🙂🙂', '\u0301', 'x'.repeat(3000), 'author:', 'cat:💥', 'year:-1', 'after:2025-99-99', '-author:hinton', ''];
    for (const q of odd) {
      for (const mode of ['keyword', 'semantic', 'hybrid'] as const) {
        for (const sort of ['relevance', 'newest', 'upvotes'] as const) {
          const r = await searchPapers(t.db, { q, mode, sort });
          assert.ok(Array.isArray(r.hits), q);
        }
      }
    }
  } finally {
    await t.cleanup();
  }
});

test('phrases, exclusions and filters behave as documented; facets count the result set', async () => {
  const t = await seeded();
  try {
    const phrase = await searchPapers(t.db, { q: '"video generation"', mode: 'keyword', limit: 100 });
    assert.equal(phrase.total, 12);
    assert.ok(phrase.hits.every((h) => /video generation/i.test(h.paper.title)));
    assert.match(phrase.hits[0].titleHtml, /<mark>video<\/mark> <mark>generation<\/mark>/i);

    const ex = await searchPapers(t.db, { q: 'inference -speculative', mode: 'hybrid', limit: 100 });
    assert.ok(ex.hits.length > 0);
    assert.ok(ex.hits.every((h) => !/speculative/i.test(h.paper.title + h.paper.abstract)));

    const cat = await searchPapers(t.db, { q: 'inference cat:cs.CL', limit: 100 });
    assert.ok(cat.hits.length > 0 && cat.hits.every((h) => h.paper.categories.includes('cs.CL')));
    assert.deepEqual(cat.parsed.filters.map((f) => f.key), ['cat']);
    const archive = await searchPapers(t.db, { q: 'inference cat:cs', limit: 100 });
    assert.ok(archive.total >= cat.total);

    const author = await searchPapers(t.db, { q: 'author:hinton', limit: 100 });
    assert.equal(author.total, 20);
    assert.ok(author.hits.every((h) => h.paper.authors.includes('Geoffrey Hinton')));

    const year = await searchPapers(t.db, { q: 'model', filters: { year: 2024 }, mode: 'hybrid', limit: 100 });
    assert.ok(year.hits.length > 0 && year.hits.every((h) => h.paper.publishedAt!.startsWith('2024')));
    assert.deepEqual(year.facets.years.map((y) => y.value), ['2024']);

    const range = await searchPapers(t.db, { q: 'after:2024-03-01 before:2024-05-31', limit: 100 });
    assert.ok(range.hits.length > 0 && range.hits.every((h) => h.paper.publishedAt! >= '2024-03-01' && h.paper.publishedAt! <= '2024-05-31'));

    const code = await searchPapers(t.db, { q: 'has:code', limit: 100 });
    assert.equal(code.total, 9);
    assert.ok(code.hits.every((h) => h.paper.githubRepo));

    const newest = await searchPapers(t.db, { q: 'diffusion', sort: 'newest', limit: 100 });
    const dates = newest.hits.map((h) => h.paper.publishedAt!);
    assert.deepEqual(dates, [...dates].sort().reverse());
    const facetTotal = newest.facets.categories.find((c) => c.value === 'cs.CV')?.count ?? 0;
    assert.ok(facetTotal > 0);
  } finally {
    await t.cleanup();
  }
});

test('finds by meaning: hybrid ranks the KV-cache papers first for a paraphrase', async () => {
  const t = await seeded();
  try {
    const r = await searchPapers(t.db, { q: 'making LLM inference cheaper with smaller KV caches', limit: 5 });
    assert.equal(r.parsed.mode, 'hybrid');
    assert.match(r.hits[0].paper.title, /KV cache/);
    assert.ok(r.hits[0].scores.keyword !== undefined && r.hits[0].scores.vector !== undefined);
  } finally {
    await t.cleanup();
  }
});

test('the index stays in sync after import, re-import, version update and delete', async () => {
  const t = await seeded();
  try {
    const id = '2501.10003';
    const hook = searchIndexHook(t.db);
    // Re-import: nothing changes, nothing is pending.
    await importItems(t.db, 'again', items(corpus()), { feature: 'never', onChanged: hook }, emptyStats());
    assert.equal(Number(await one(t.db, sql`SELECT count(*) AS n FROM search_docs WHERE embedded = 0`)), 0);
    // A new version renames the paper: the old title no longer finds it, the new one does.
    const v2 = { ...corpus()[3], version: 2, title: 'Quantum annealing schedules for protein folding', abstract: TOPICS[4][1], updatedAt: '2025-04-01' };
    await importItems(t.db, 'v2', items([v2]), { feature: 'never', onChanged: hook }, emptyStats());
    await flushSearchIndex(t.db);
    const hit = await searchPapers(t.db, { q: 'quantum annealing protein', mode: 'keyword' });
    assert.equal(hit.hits[0]?.paperId, id);
    // Its vector moved too: its neighbours are now the RLHF papers its new abstract is about.
    const near = await similarPapers(t.db, id, 3);
    assert.ok(near.every((n) => /human feedback/.test(n.paper.title)), near.map((n) => n.paper.title).join('; '));
    const old = await searchPapers(t.db, { q: '"speculative decoding speeds up language model inference 3"', mode: 'keyword' });
    assert.equal(old.total, 0);
    // A write outside the import path (an editor, raw SQL) is caught by the triggers too.
    await sql`UPDATE papers SET abstract = ${'Zebrafish fin regeneration.'} WHERE id = ${'2501.10004'}`.execute(t.db.kysely);
    await sql`DELETE FROM papers WHERE id = ${'2501.10005'}`.execute(t.db.kysely);
    await syncSearchIndex(t.db, { forceSave: true });
    assert.equal((await searchPapers(t.db, { q: 'zebrafish', mode: 'keyword' })).hits[0]?.paperId, '2501.10004');
    for (const mode of ['keyword', 'semantic', 'hybrid'] as const) {
      const r = await searchPapers(t.db, { q: 'reinforcement learning from human feedback', mode, limit: 100 });
      assert.ok(!r.hits.some((h) => h.paperId === '2501.10005'), mode);
    }
    // INSERT OR REPLACE skips delete triggers; the FTS index must still hold one row per paper.
    // (PostgreSQL has no REPLACE: its closest write, an upsert, must keep one row per paper as well.)
    if (t.db.dialect === 'sqlite') t.db.sqlite!.prepare("INSERT OR REPLACE INTO papers (id, title, abstract, authors, categories, created_at, source) VALUES ('2501.10006', 'Replaced title about axolotls', '', '[]', '[]', ?, 't')").run(NOW);
    else await sql`INSERT INTO papers (id, title, abstract, authors, categories, created_at, source) VALUES ('2501.10006', 'Replaced title about axolotls', '', '[]', '[]', ${NOW}, 't') ON CONFLICT (id) DO UPDATE SET title = excluded.title, abstract = excluded.abstract, authors = excluded.authors, categories = excluded.categories`.execute(t.db.kysely);
    const ax = await searchPapers(t.db, { q: 'axolotls', mode: 'keyword' });
    assert.equal(ax.total, 1);
    const gone = await searchPapers(t.db, { q: '"graph neural networks for molecules 6"', mode: 'keyword' });
    assert.equal(gone.total, 0);
    // Rebuild from scratch gives the same answers.
    await rebuildIndex(t.db);
    assert.equal((await searchPapers(t.db, { q: 'zebrafish', mode: 'keyword' })).hits[0]?.paperId, '2501.10004');
    if (t.db.dialect === 'sqlite') assert.ok(fs.existsSync(`${t.file}.vectors.usearch`));
    else assert.ok(Number(await one(t.db, sql`SELECT count(*) FROM search_vectors`)) >= 58);
  } finally {
    await t.cleanup();
  }
});

test('a different model triggers a rebuild instead of mixing vector spaces', async () => {
  const t = await seeded();
  try {
    const before = { value: await one<string>(t.db, sql`SELECT value FROM search_meta WHERE key = 'vector.model'`) };
    await configureSearch(t.db, { provider: new LsaProvider({ modelPath: path.join(t.dir, 'other.bin'), dimensions: 16 }) });
    await syncSearchIndex(t.db, { forceSave: true });
    const after = { value: await one<string>(t.db, sql`SELECT value FROM search_meta WHERE key = 'vector.model'`) };
    assert.notEqual(after.value, before.value);
    assert.match(after.value, /^lsa-16d-/);
    const r = await searchPapers(t.db, { q: 'video diffusion', mode: 'semantic', limit: 3 });
    assert.match(r.hits[0].paper.title, /video/i);
  } finally {
    await t.cleanup();
  }
});

test('similar papers excludes the paper itself', async () => {
  const t = await seeded();
  try {
    const sim = await similarPapers(t.db, '2501.10001', 10);
    assert.equal(sim.length, 10);
    assert.ok(!sim.some((s) => s.paperId === '2501.10001'));
    assert.match(sim[0].paper.title, /Diffusion models for video generation/);
    await configureSearch(t.db, { provider: null });
    const lexical = await similarPapers(t.db, '2501.10001', 5);
    assert.equal(lexical.length, 5);
    assert.ok(!lexical.some((s) => s.paperId === '2501.10001'));
    assert.deepEqual(await similarPapers(t.db, 'no-such-paper'), []);
  } finally {
    await t.cleanup();
  }
});

test('real data: exact-title queries return that paper first', { timeout: 600_000 }, async () => {
  const t = await freshDb();
  try {
    const shard = path.join(SHARED, 'arxiv-daily-2025-2026/shards/part-0000.jsonl.gz');
    await configureSearch(t.db, {});
    await importPaths(t.db, [shard], { onChanged: searchIndexHook(t.db) });
    await flushSearchIndex(t.db);
    const rows = await t.db.kysely.selectFrom('papers').select(['id', 'title']).orderBy('id').limit(2000).execute();
    const sample = rows.filter((_, i) => i % 50 === 0);
    for (const mode of ['keyword', 'hybrid'] as const) {
      let first = 0;
      for (const r of sample) {
        const res = await searchPapers(t.db, { q: r.title, mode, limit: 3 });
        if (res.hits[0]?.paperId === r.id) first++;
      }
      assert.ok(first >= sample.length - 1, `${mode}: ${first}/${sample.length} exact titles ranked first`);
    }
  } finally {
    await t.cleanup();
  }
});

test('upserts outside the pipeline are searchable immediately (keyword) and after sync (vectors)', async () => {
  const t = await seeded();
  try {
    await upsertPapers(t.db, [paperRecord({ id: '2502.00001', title: 'Tardigrade desiccation tolerance proteins', abstract: 'Tardigrades survive drying.' })], NOW);
    assert.equal((await searchPapers(t.db, { q: 'tardigrade', mode: 'keyword' })).hits[0]?.paperId, '2502.00001');
    await syncSearchIndex(t.db);
    const s = await searchPapers(t.db, { q: 'tardigrade desiccation', mode: 'semantic', limit: 1 });
    assert.equal(s.hits[0]?.paperId, '2502.00001');
  } finally {
    await t.cleanup();
  }
});
