/**
 * npm run bench:search [-- --skip-1m] [--queries 500] [--queries-1m 100] [--database-url postgres://...] [--data DIR,...]
 *
 * Imports all of ../shared/data (about 195k papers) into a fresh database through the product's
 * import pipeline (the FTS index is kept by triggers), builds the vector index with the built-in
 * provider (`rebuildIndex`, as `dailypapers index rebuild` does), then runs 500 realistic queries
 * (full titles, shortened titles, topic phrases like the seed page's) through `searchPapers` in
 * each mode, one at a time on one core: p50/p95/p99 latency and QPS, next to the raw FTS5 MATCH
 * (same words OR-ed, default bm25, top 20) measured in the same run. Then the same at 1M papers,
 * the extra 800k synthesised by recombining real titles and abstracts.
 *
 * --database-url postgres://… (or BENCH_DATABASE_URL): the same on PostgreSQL, in a fresh database
 * created on that server and dropped afterwards (with --reuse, the URL's own database, kept). The
 * baseline there is the naive `websearch_to_tsquery` + `ts_rank_cd` over the GIN index. The 1M
 * synthesis is SQLite-only (it writes through better-sqlite3). --data limits the corpus (a
 * smoke test: `--data ../shared/data/fixtures`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { sql } from 'kysely';
import { openDatabase, type Db } from '../src/storage/db.ts';
import { vectorBackend, searchContext } from '../src/search/context.ts';
import { importPaths } from '../src/ingest/pipeline.ts';
import { bulkImportSettings, sqliteBulk } from '../src/storage/sqlite-bulk.ts';
import { configureSearch, rebuildIndex, searchPapers, similarPapers, syncSearchIndex, type SearchMode } from '../src/search/index.ts';
import { words } from '../src/search/tokenize.ts';

const { values } = parseArgs({
  options: {
    'skip-1m': { type: 'boolean', default: false },
    queries: { type: 'string', default: '500' },
    // At 1M the raw FTS5 baseline alone takes ~1.7 s a query: 500 of them would be 15 minutes.
    'queries-1m': { type: 'string', default: '100' },
    reuse: { type: 'string' },
    json: { type: 'string' },
    'database-url': { type: 'string' },
    data: { type: 'string' },
  },
});
const PG_URL = values['database-url'] ?? process.env.BENCH_DATABASE_URL ?? null;
// --json FILE: every printed figure, for scripts/bench-report.ts.
const figures: { backend: 'sqlite' | 'postgres'; vectorBackend?: string | null; sections: { label: string; rows: Row[] }[]; build: Record<string, number> } = {
  backend: PG_URL ? 'postgres' : 'sqlite',
  sections: [],
  build: {},
};
const SHARED = path.resolve(import.meta.dirname, '../../shared');
const DATA = path.join(SHARED, 'data');
const CORPUS = values.data ? values.data.split(',').map((d) => path.resolve(d)) : [path.join(DATA, 'arxiv-daily-2025-2026'), path.join(DATA, 'arxiv-cs-2007-2017'), path.join(DATA, 'fixtures')];
const N_QUERIES = Number(values.queries);

function rng(seed: number) {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
}

const TOPICS = [
  'KV cache compression', 'making LLM inference cheaper with smaller KV caches', 'speculative decoding', 'mixture of experts routing',
  'diffusion transformers for video generation', 'text to image diffusion', 'retrieval augmented generation', 'long context language models',
  'reinforcement learning from human feedback', 'direct preference optimization', 'chain of thought reasoning', 'vision language models',
  'multimodal large language models benchmark', 'code generation with LLMs', 'LLM agents tool use', 'quantization of large language models',
  'parameter efficient fine tuning LoRA', 'state space models mamba', 'neural radiance fields', '3D gaussian splatting',
  'graph neural networks', 'contrastive self-supervised learning', 'federated learning privacy', 'adversarial robustness',
  'hallucination detection', 'mathematical reasoning benchmark', 'speech recognition low resource', 'robot manipulation policy learning',
  'world models for autonomous driving', 'protein structure prediction', 'time series forecasting transformers', 'machine translation',
  'knowledge distillation', 'continual learning catastrophic forgetting', 'image segmentation foundation model', 'embodied agents',
  'scaling laws', 'synthetic data for training', 'safety alignment jailbreak attacks', 'efficient attention linear complexity',
];

function seedTitles(): string[] {
  const dir = path.join(SHARED, 'seed');
  if (!fs.existsSync(dir)) return [];
  const lines = fs.readdirSync(dir).flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n')).map((l) => l.trim()).filter(Boolean);
  return lines.filter((l, i) => l.length > 15 && l.length < 250 && (lines[i + 1]?.length ?? 0) > 300);
}

async function count(db: Db, table: string): Promise<number> {
  return Number((await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(db.kysely)).rows[0].n);
}

/**
 * 40% full titles, 30% shortened titles, 30% topic phrases (hand-written and from the seed page).
 * Titles are drawn in id order, so both backends get the same queries from the same corpus.
 */
async function makeQueries(db: Db, n: number): Promise<{ q: string; kind: string }[]> {
  const rand = rng(7);
  const titles = (await sql<{ title: string }>`SELECT title FROM papers ORDER BY id`.execute(db.kysely)).rows.map((r) => r.title);
  const title = () => titles[Math.floor(rand() * titles.length)];
  const topics = [...TOPICS, ...seedTitles().map((t) => t.split(':')[0]).filter((t) => t.split(' ').length <= 6)];
  const out: { q: string; kind: string }[] = [];
  for (let i = 0; i < n; i++) {
    const r = i % 10;
    if (r < 4) out.push({ q: title(), kind: 'title' });
    else if (r < 7) out.push({ q: title().split(/\s+/).slice(0, 3 + Math.floor(rand() * 3)).join(' '), kind: 'short' });
    else out.push({ q: topics[Math.floor(rand() * topics.length)], kind: 'topic' });
  }
  return out;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

interface Row {
  mode: string;
  p50: number;
  p95: number;
  p99: number;
  qps: number;
}

async function timeIt(name: string, qs: string[], fn: (q: string) => Promise<unknown> | unknown): Promise<Row> {
  for (const q of qs.slice(0, 20)) await fn(q); // warm caches and JIT
  const lat: number[] = [];
  const t0 = performance.now();
  for (const q of qs) {
    const t = performance.now();
    await fn(q);
    lat.push(performance.now() - t);
  }
  const secs = (performance.now() - t0) / 1000;
  const r = (x: number) => Math.round(x * 100) / 100;
  return { mode: name, p50: r(pct(lat, 50)), p95: r(pct(lat, 95)), p99: r(pct(lat, 99)), qps: Math.round(qs.length / secs) };
}

/** The baseline: the same words OR-ed, the engine's own ranking, top 20, no tuning. */
function rawBaseline(db: Db): { name: string; run: (q: string) => unknown } {
  if (db.dialect === 'postgres') {
    // The naive PostgreSQL search: websearch_to_tsquery, ts_rank_cd with default weights, over the
    // GIN-indexed tsvector the product maintains (no idf, no reranking, no column weights).
    const text = `SELECT doc_id FROM search_docs, websearch_to_tsquery('english', $1) q WHERE tsv @@ q ORDER BY ts_rank_cd(tsv, q) DESC LIMIT 20`;
    return { name: 'raw websearch_to_tsquery + ts_rank_cd', run: (q) => {
      const m = words(q).join(' or ');
      return m ? db.pg!.query(text, [m]) : [];
    } };
  }
  const raw = db.sqlite!.prepare('SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? ORDER BY rank LIMIT 20');
  return { name: 'raw FTS5 MATCH', run: (q) => {
    const m = words(q).map((w) => `"${w}"`).join(' OR ');
    return m ? raw.all(m) : [];
  } };
}

async function measure(db: Db, label: string, nQueries = N_QUERIES): Promise<Row[]> {
  const qs = (await makeQueries(db, nQueries)).map((x) => x.q);
  const rows: Row[] = [];
  const raw = rawBaseline(db);
  rows.push(await timeIt(raw.name, qs, raw.run));
  for (const mode of ['keyword', 'semantic', 'hybrid'] as SearchMode[]) rows.push(await timeIt(mode, qs, (q) => searchPapers(db, { q, mode, limit: 20 })));
  const ids = (await sql<{ paper_id: string }>`SELECT paper_id FROM search_docs ORDER BY random() LIMIT 200`.execute(db.kysely)).rows.map((r) => r.paper_id);
  let i = 0;
  rows.push(await timeIt('similar (k=10)', ids, () => similarPapers(db, ids[i++ % ids.length], 10)));
  console.log(`\n## ${label}\n`);
  console.log('| mode | p50 ms | p95 ms | p99 ms | QPS (1 core) |\n| --- | ---: | ---: | ---: | ---: |');
  for (const r of rows) console.log(`| ${r.mode} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.qps} |`);
  figures.sections.push({ label, rows });
  return rows;
}

/** Adds `extra` papers made by recombining real titles and abstracts (halves and sentences). */
function synthesise(db: Db, extra: number): void {
  const sq = db.sqlite!;
  const src = sq.prepare('SELECT title, abstract, authors, categories, published_at FROM papers').all() as { title: string; abstract: string; authors: string; categories: string; published_at: string | null }[];
  const rand = rng(11);
  const ins = sq.prepare("INSERT INTO papers (id, title, abstract, authors, categories, primary_category, published_at, created_at, source) VALUES (?, ?, ?, ?, ?, ?, ?, '2026-01-01T00:00:00Z', 'synthetic')");
  const any = () => src[Math.floor(rand() * src.length)];
  const batch = sq.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const a = any(), b = any(), c = any(), d = any();
      const ta = a.title.split(' '), tb = b.title.split(' ');
      const title = [...ta.slice(0, Math.ceil(ta.length / 2)), ...tb.slice(Math.ceil(tb.length / 2))].join(' ');
      const sa = c.abstract.split(/(?<=\.)\s+/), sb = d.abstract.split(/(?<=\.)\s+/);
      const abstract = [...sa.slice(0, Math.ceil(sa.length / 2)), ...sb.slice(Math.ceil(sb.length / 2))].join(' ');
      ins.run(`synth/${i}`, title, abstract, a.authors, c.categories, JSON.parse(c.categories)[0] ?? null, c.published_at);
    }
    // As `dailypapers import` does: the keyword index is built once per batch, not per row (row by
    // row, 805k papers took 626 s).
    sqliteBulk(sq).drainFtsPending();
  });
  const t0 = performance.now();
  const restore = bulkImportSettings(sq);
  try {
    for (let i = 0; i < extra; i += 10_000) batch(i, Math.min(extra, i + 10_000));
  } finally {
    restore();
  }
  const left = sq.prepare('SELECT count(*) FROM search_fts_pending').pluck().get() as number;
  if (left) throw new Error(`synthesise: ${left} papers left out of the keyword index`);
  console.log(`synthesised ${extra} papers in ${((performance.now() - t0) / 1000).toFixed(0)} s (keyword index built per 10,000-paper batch, as imports do)`);
}

/**
 * The database under test and how to dispose of it. `built`: it already holds the corpus (--reuse),
 * so only the latency runs are needed.
 */
async function openTarget(): Promise<{ db: Db; built: boolean; where: string; cleanup: () => Promise<void> }> {
  if (PG_URL) {
    // --reuse NAME: that database on the server, created if missing and kept; else a fresh one, dropped after.
    const name = values.reuse ?? `dp_bench_search_${process.pid}_${Date.now()}`;
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`--reuse: "${name}" is not a plain PostgreSQL database name`);
    const admin = new pg.Pool({ connectionString: PG_URL, max: 1 });
    try {
      const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rows.length > 0;
      if (!exists) await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
    const u = new URL(PG_URL);
    u.pathname = `/${name}`;
    const db = await openDatabase(u.toString());
    const built = (await count(db, 'papers')) > 0;
    const cleanup = async () => {
      if (values.reuse) return;
      const a = new pg.Pool({ connectionString: PG_URL, max: 1 });
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => a.end());
    };
    return { db, built, where: `PostgreSQL database ${name} (${db.location})`, cleanup };
  }
  // --reuse DIR keeps the database in DIR (and reuses it when already built: latency runs only).
  const dir = values.reuse ?? fs.mkdtempSync(path.join(os.tmpdir(), 'dp-bench-search-'));
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'bench.sqlite');
  const built = fs.existsSync(file);
  const db = await openDatabase(file);
  return { db, built, where: `SQLite ${file}`, cleanup: async () => (values.reuse ? undefined : fs.rmSync(dir, { recursive: true, force: true })) };
}

async function main() {
  console.log(`# bench:search — ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, node ${process.version}, load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const target = await openTarget();
  const { db } = target;
  try {
    console.log(`database: ${target.where}`);
    await configureSearch(db, {});
    figures.vectorBackend = vectorBackend(await searchContext(db));
    console.log(`vector backend: ${figures.vectorBackend}`);
    if (target.built) {
      await measure(db, `${await count(db, 'papers')} papers (reused database)`);
      return;
    }
    let t0 = performance.now();
    const stats = await importPaths(db, CORPUS, {});
    const importSecs = (performance.now() - t0) / 1000;
    console.log(`imported ${stats.inserted} papers in ${importSecs.toFixed(0)} s (${Math.round(stats.inserted / importSecs)} papers/s, keyword index kept by triggers)`);
    t0 = performance.now();
    const vec = await rebuildIndex(db, { keyword: false });
    const vecSecs = (performance.now() - t0) / 1000;
    console.log(`vector index (built-in provider: train + embed + ${figures.vectorBackend === 'pgvector' ? 'pgvector HNSW' : 'HNSW'}): ${vec.embedded} papers in ${vecSecs.toFixed(0)} s = ${Math.round(vec.embedded / vecSecs)} papers/s`);
    t0 = performance.now();
    const kw = await rebuildIndex(db, { vectors: false });
    console.log(`keyword index rebuild: ${kw.papers} papers in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    figures.build = { papers: stats.inserted, importSecs, vectorPapers: vec.embedded, vectorSecs: vecSecs, keywordPapers: kw.papers, keywordSecs: (performance.now() - t0) / 1000 };
    await measure(db, `${stats.inserted} papers`);

    if (!values['skip-1m'] && db.dialect === 'sqlite') {
      synthesise(db, 1_000_000 - stats.inserted);
      t0 = performance.now();
      const n = await syncSearchIndex(db, { forceSave: true });
      console.log(`incremental vector sync of the synthetic papers: ${n} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      await measure(db, `1M papers (${Number(values['queries-1m'])} queries)`, Number(values['queries-1m']));
    } else if (!values['skip-1m']) console.log('1M papers: skipped on PostgreSQL (the synthesis writes through better-sqlite3)');
  } finally {
    await db.close();
    await target.cleanup();
    if (values.json) fs.writeFileSync(values.json, JSON.stringify(figures, null, 2) + '\n');
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
