import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import SQLite from 'better-sqlite3';
import type { PaperRecord, ParseItem } from '../domain/paper.ts';

/**
 * BEIR-layout benchmarks (corpus.jsonl[.gz], queries.jsonl, qrels*.tsv or qrels/*.tsv) and the
 * standard metrics, as pytrec_eval/BEIR compute them: nDCG@10 with exponential gain, Recall@100
 * over relevant documents (score > 0), MRR@10.
 */
export interface BeirDoc {
  _id: string;
  title: string;
  text: string;
}

export interface Beir {
  corpus: BeirDoc[];
  queries: { _id: string; text: string }[];
  qrels: Map<string, Map<string, number>>;
  qrelsFiles: string[];
}

function readMaybeGz(file: string): string {
  const buf = fs.readFileSync(file);
  return (file.endsWith('.gz') ? zlib.gunzipSync(buf) : buf).toString('utf8');
}

function jsonl<T>(file: string): T[] {
  return readMaybeGz(file).split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as T);
}

/** Qrels: `--qrels` if given, else qrels/test.tsv, else every qrels*.tsv / qrels/*.tsv there is. */
export function qrelsFiles(dir: string, explicit?: string): string[] {
  if (explicit) return [path.resolve(dir, explicit)];
  const sub = path.join(dir, 'qrels');
  if (fs.existsSync(path.join(sub, 'test.tsv'))) return [path.join(sub, 'test.tsv')];
  const files = fs.readdirSync(dir).filter((f) => /^qrels.*\.tsv$/.test(f)).map((f) => path.join(dir, f));
  if (fs.existsSync(sub)) files.push(...fs.readdirSync(sub).filter((f) => f.endsWith('.tsv')).map((f) => path.join(sub, f)));
  return files;
}

export function loadBeir(dir: string, opts: { qrels?: string } = {}): Beir {
  const corpusFile = ['corpus.jsonl', 'corpus.jsonl.gz'].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
  const queriesFile = ['queries.jsonl', 'queries.jsonl.gz'].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
  if (!corpusFile || !queriesFile) throw new Error(`${dir} is not a BEIR folder (needs corpus.jsonl[.gz] and queries.jsonl)`);
  const files = qrelsFiles(dir, opts.qrels);
  if (!files.length) throw new Error(`${dir} has no qrels*.tsv or qrels/*.tsv`);
  const qrels = new Map<string, Map<string, number>>();
  for (const f of files) {
    for (const line of readMaybeGz(f).split('\n')) {
      const [q, d, s] = line.split('\t');
      if (!q || !d || q === 'query-id' || s === undefined) continue;
      if (!qrels.has(q)) qrels.set(q, new Map());
      qrels.get(q)!.set(d, Number(s));
    }
  }
  const corpus = jsonl<BeirDoc>(corpusFile).map((d) => ({ _id: String(d._id), title: d.title ?? '', text: d.text ?? '' }));
  const queries = jsonl<{ _id: string; text: string }>(queriesFile).map((q) => ({ _id: String(q._id), text: q.text })).filter((q) => qrels.has(q._id));
  return { corpus, queries, qrels, qrelsFiles: files };
}

/** BEIR ids become synthetic paper ids under a prefix no arXiv id can have. */
export const BEIR_PREFIX = 'beir:';

export async function* beirItems(corpus: BeirDoc[]): AsyncIterable<ParseItem> {
  let line = 0;
  for (const d of corpus) {
    line++;
    const record: PaperRecord = {
      id: BEIR_PREFIX + d._id,
      version: null,
      // A paper needs a title; BEIR corpora such as ArguAna have empty ones.
      title: d.title || d.text.slice(0, 80),
      abstract: d.text || null,
      authors: [],
      categories: [],
      comment: null,
      journalRef: null,
      doi: null,
      publishedAt: null,
      updatedAt: null,
      listedDay: null,
      source: 'beir',
    };
    yield { ok: true, record, line };
  }
}

export interface Metrics {
  'ndcg@10': number;
  'recall@100': number;
  'mrr@10': number;
}

export function evaluateRun(run: Map<string, string[]>, qrels: Map<string, Map<string, number>>): Metrics {
  let ndcg = 0;
  let recall = 0;
  let mrr = 0;
  let n = 0;
  for (const [q, rel] of qrels) {
    const ranked = run.get(q) ?? [];
    const relevant = [...rel.values()].filter((g) => g > 0).sort((a, b) => b - a);
    if (!relevant.length) continue;
    n++;
    let dcg = 0;
    for (let i = 0; i < Math.min(10, ranked.length); i++) {
      const g = rel.get(ranked[i]) ?? 0;
      if (g > 0) dcg += (2 ** g - 1) / Math.log2(i + 2);
    }
    let idcg = 0;
    for (let i = 0; i < Math.min(10, relevant.length); i++) idcg += (2 ** relevant[i] - 1) / Math.log2(i + 2);
    ndcg += dcg / idcg;
    const top = new Set(ranked.slice(0, 100));
    let hit = 0;
    for (const [d, g] of rel) if (g > 0 && top.has(d)) hit++;
    recall += hit / relevant.length;
    const first = ranked.slice(0, 10).findIndex((d) => (rel.get(d) ?? 0) > 0);
    if (first >= 0) mrr += 1 / (first + 1);
  }
  const r = (x: number) => Math.round((x / Math.max(1, n)) * 10000) / 10000;
  return { 'ndcg@10': r(ndcg), 'recall@100': r(recall), 'mrr@10': r(mrr) };
}

/**
 * The floor every mode must beat: raw FTS5 with no tuning — `porter unicode61`, title and
 * abstract columns, the query's words OR-ed, default bm25().
 */
export function baselineRun(b: Beir): Map<string, string[]> {
  const db = new SQLite(':memory:');
  db.exec(`CREATE VIRTUAL TABLE f USING fts5(id UNINDEXED, title, abstract, tokenize='porter unicode61')`);
  const ins = db.prepare('INSERT INTO f VALUES (?, ?, ?)');
  db.transaction(() => {
    for (const d of b.corpus) ins.run(d._id, d.title, d.text);
  })();
  const q = db.prepare('SELECT id FROM f WHERE f MATCH ? ORDER BY bm25(f) LIMIT 100');
  const run = new Map<string, string[]>();
  for (const x of b.queries) {
    const words = x.text.match(/[\p{L}\p{N}]+/gu) ?? [];
    const m = words.map((w) => `"${w}"`).join(' OR ');
    run.set(x._id, m ? (q.all(m) as { id: string }[]).map((r) => r.id) : []);
  }
  db.close();
  return run;
}
