import { stmt } from './stats.ts';
import type SQLite from 'better-sqlite3';
import { keywordTerms, toExcludeMatch, toFtsMatch, type ParsedQuery } from './query.ts';
import { porterStem } from './porter.ts';
import { collectionStats, docFreqs } from './stats.ts';

/**
 * Keyword retrieval over `papers_fts` plus the SQL for filters. All user values are bound
 * parameters; the only text spliced into SQL is built from fixed fragments.
 */

/** bm25() column weights: a title hit says more than an author hit, which says more than the abstract. */
export const COLUMN_WEIGHTS = { title: 3, authors: 2, abstract: 1 };
const BM25 = `bm25(papers_fts, ${COLUMN_WEIGHTS.title}, ${COLUMN_WEIGHTS.authors}, ${COLUMN_WEIGHTS.abstract})`;

export interface KeywordHit {
  docId: number;
  paperId: string;
  /** Higher is better (negated bm25). */
  score: number;
}

export interface SqlFilter {
  where: string[];
  params: unknown[];
}

function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** Filters on `papers p` (and `search_docs d`) that do not need FTS: categories, dates, code. */
export function metadataFilter(p: ParsedQuery): SqlFilter {
  const where: string[] = [];
  const params: unknown[] = [];
  if (p.categories.length) {
    // categories is a JSON array of strings; LIKE is case-insensitive for ASCII, as users type.
    const ors = p.categories.map((c) => {
      if (c.includes('.')) {
        params.push(`%"${c}"%`);
        return `p.categories LIKE ?`;
      }
      params.push(`%"${c}"%`, `%"${c}.%`);
      return `(p.categories LIKE ? OR p.categories LIKE ?)`;
    });
    where.push(`(${ors.join(' OR ')})`);
  }
  if (p.year !== null) {
    where.push('p.published_at >= ? AND p.published_at < ?');
    params.push(`${p.year}`, `${p.year + 1}`);
  }
  if (p.after) {
    where.push('p.published_at >= ?');
    params.push(p.after);
  }
  if (p.before) {
    where.push('p.published_at < ?');
    params.push(nextDay(p.before));
  }
  if (p.hasCode) where.push('p.github_repo IS NOT NULL');
  return { where, params };
}

/** Filters including the FTS-only ones (authors, excludes) as `d.doc_id IN (...)` subqueries. */
export function fullFilter(p: ParsedQuery, withPhrases = false): SqlFilter {
  const f = metadataFilter(p);
  if (withPhrases) {
    for (const ph of p.phrases) {
      const m = toFtsMatch({ ...p, terms: [], phrases: [ph], authors: [], excludes: [] });
      f.where.push('d.doc_id IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)');
      f.params.push(m);
    }
  }
  if (p.authors.length) {
    const m = toFtsMatch({ ...p, terms: [], phrases: [], excludes: [] });
    f.where.push('d.doc_id IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)');
    f.params.push(m);
  }
  const ex = toExcludeMatch(p);
  if (ex) {
    f.where.push('d.doc_id NOT IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)');
    f.params.push(ex);
  }
  return f;
}

/**
 * Words in more than `share` of papers are left out of the MATCH when rarer ones remain, in
 * collections of at least `minDocs` papers (below that, scoring everything is cheap). Forced on
 * SciFact (5k) it moved keyword nDCG@10 +0.001 and Recall@100 -0.020: a latency trade for large
 * collections only.
 */
export const COMMON_WORDS = { share: 0.1, minDocs: 50_000, maxTerms: 5 };

/**
 * Words that occur in a large share of the collection ("learning", "model" on arXiv) carry little
 * idf but make an OR query score a large part of the index: at 200k papers they dominate latency.
 * When at least two rarer words remain they are dropped from retrieval (the reranker still sees
 * them), and of the rest only the `maxTerms` rarest retrieve. Uses the df snapshot, so it costs
 * one indexed lookup per word.
 */
function selectiveTerms(sq: SQLite.Database, terms: string[]): string[] {
  if (terms.length < 3) return terms;
  const n = collectionStats(sq).docs;
  if (n < COMMON_WORDS.minDocs) return terms;
  const df = docFreqs(sq, terms.map(porterStem));
  const dfOf = (t: string) => df.get(porterStem(t)) ?? 0;
  const rare = terms.filter((t) => dfOf(t) <= COMMON_WORDS.share * n);
  if (rare.length < 2) return terms;
  // A pasted title has a dozen words; its rarest few already pick out the right papers, and each
  // extra word's posting list adds thousands of matches to score (30 → 20 ms at 200k papers).
  return rare.length <= COMMON_WORDS.maxTerms ? rare : [...rare].sort((a, b) => dfOf(a) - dfOf(b)).slice(0, COMMON_WORDS.maxTerms);
}

const andWhere = (w: string[]) => (w.length ? ` AND ${w.join(' AND ')}` : '');

export interface KeywordResult {
  hits: KeywordHit[];
  /** All papers matching, not only those returned. */
  total: number;
}

/** Top `limit` FTS matches by weighted bm25, with filters applied inside the query. */
export function keywordSearch(sq: SQLite.Database, p: ParsedQuery, limit: number, withTotal = true): KeywordResult {
  const match = toFtsMatch(p, selectiveTerms(sq, keywordTerms(p)));
  if (!match) return { hits: [], total: 0 };
  const f = metadataFilter(p);
  if (!f.where.length) {
    // Rank inside FTS5 first and join only the top rows: joining every match before sorting cost
    // as much as the ranking itself (tens of thousands of lookups for a long title query).
    const rows = stmt(sq, `SELECT d.doc_id AS docId, d.paper_id AS paperId, f.score AS score FROM (SELECT rowid, -${BM25} AS score FROM papers_fts WHERE papers_fts MATCH ? ORDER BY ${BM25} LIMIT ?) f JOIN search_docs d ON d.doc_id = f.rowid ORDER BY f.score DESC`).all(match, limit) as KeywordHit[];
    let total = rows.length;
    if (withTotal && rows.length >= limit) total = (stmt(sq, 'SELECT count(*) AS n FROM papers_fts WHERE papers_fts MATCH ?').get(match) as { n: number }).n;
    return { hits: rows, total };
  }
  const from = `FROM papers_fts JOIN search_docs d ON d.doc_id = papers_fts.rowid JOIN papers p ON p.id = d.paper_id`;
  const where = `WHERE papers_fts MATCH ?${andWhere(f.where)}`;
  const rows = stmt(sq, `SELECT d.doc_id AS docId, d.paper_id AS paperId, -${BM25} AS score ${from} ${where} ORDER BY ${BM25} LIMIT ?`).all(match, ...f.params, limit) as KeywordHit[];
  let total = rows.length;
  if (withTotal && rows.length >= limit) {
    total = (stmt(sq, `SELECT count(*) AS n ${from} ${where}`).get(match, ...f.params) as { n: number }).n;
  }
  return { hits: rows, total };
}

/** Of the given keys, those that pass every filter (for vector candidates). */
export function filterKeys(sq: SQLite.Database, p: ParsedQuery, keys: number[], withPhrases = false): Set<number> {
  const f = fullFilter(p, withPhrases);
  const out = new Set<number>();
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500);
    const rows = stmt(sq, `SELECT d.doc_id AS k FROM search_docs d JOIN papers p ON p.id = d.paper_id WHERE d.doc_id IN (${chunk.map(() => '?').join(',')})${andWhere(f.where)}`)
      .all(...chunk, ...f.params) as { k: number }[];
    for (const r of rows) out.add(r.k);
  }
  return out;
}

/** Papers matching only filters (no text), newest or most upvoted first. */
export function filteredListing(sq: SQLite.Database, p: ParsedQuery, sort: 'newest' | 'upvotes', offset: number, limit: number): KeywordResult {
  const f = fullFilter(p);
  const base = `FROM search_docs d JOIN papers p ON p.id = d.paper_id WHERE 1${andWhere(f.where)}`;
  const order = sort === 'upvotes' ? 'p.upvotes DESC, p.published_at DESC, p.id DESC' : 'p.published_at DESC, p.id DESC';
  const rows = stmt(sq, `SELECT d.doc_id AS docId, d.paper_id AS paperId, 0 AS score ${base} ORDER BY ${order} LIMIT ? OFFSET ?`).all(...f.params, limit, offset) as KeywordHit[];
  const total = (stmt(sq, `SELECT count(*) AS n ${base}`).get(...f.params) as { n: number }).n;
  return { hits: rows, total };
}
