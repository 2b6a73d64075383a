import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../storage/db.ts';
import { keywordTerms, type ParsedQuery } from '../query.ts';
import { porterStem } from '../porter.ts';
import { idf, type TermStats } from '../stats.ts';
import { COMMON_WORDS, type KeywordHit, type KeywordResult } from '../keyword.ts';

/**
 * Keyword retrieval on PostgreSQL: `search_docs.tsv` (title A, authors B, abstract C) under GIN.
 * Every piece of user text goes through websearch_to_tsquery, which never raises on any input, as
 * a bound parameter; the parser has already reduced it to words, quoted here so that each stays a
 * word. The pieces are combined with tsquery operators rather than one websearch string, whose
 * `or` binds looser than its implicit AND.
 */
type Frag = RawBuilder<unknown>;

const wq = (text: string): Frag => sql`websearch_to_tsquery('english'::regconfig, ${text})`;
const quoted = (ws: string[]) => `"${ws.join(' ')}"`;
const anyOf = (list: string[][]) => wq(list.map(quoted).join(' or '));

/**
 * Title A : authors B : abstract C, in ts_rank's {D, C, B, A} order, proportioned as FTS5's
 * bm25() column weights 3 : 2 : 1.
 */
const WEIGHTS = sql.raw(`'{0, 0.333, 0.667, 1.0}'::float4[]`);

/** How candidates are ordered before the reranker sees the top: see docs/SEARCH-QUALITY.md. */
export type PgRanking = 'cd' | 'idf';
export const PG_TUNING: { ranking: PgRanking; normalization: number; pairsFromDocs: number; maxPairTerms: number } = {
  ranking: (process.env.SEARCH_PG_RANKING as PgRanking) === 'cd' ? 'cd' : 'idf',
  normalization: Number(process.env.SEARCH_PG_NORM ?? 1),
  // GIN finds matches fast, but every match of an OR query is then ranked (~8 µs each, more with the
  // idf ranking): "kv cache compression llm inference" matches 33,700 of 195k papers and took 320 ms.
  // From this collection size, candidates must contain at least two of the query's words (3,700
  // papers, 60 ms); the plain OR query runs only when that finds too few.
  pairsFromDocs: Number(process.env.SEARCH_PG_PAIRS_FROM_DOCS ?? 50_000),
  maxPairTerms: 6,
};

/** "At least two of these words": the OR of every pair's AND, or null when it would not narrow. */
function pairsQuery(terms: string[]): Frag | null {
  if (terms.length < 2 || terms.length > PG_TUNING.maxPairTerms) return null;
  const pairs: Frag[] = [];
  for (let i = 0; i < terms.length; i++) for (let j = i + 1; j < terms.length; j++) pairs.push(wq(`${quoted([terms[i]!])} ${quoted([terms[j]!])}`));
  return sql`(${sql.join(pairs, sql` || `)})`;
}

function authorQuery(p: ParsedQuery): Frag {
  return anyOf(p.authors);
}

/** The tsquery of the whole search, or null when it has no positive text (a filtered listing). */
export function tsQuery(p: ParsedQuery, onlyTerms?: string[]): Frag | null {
  const parts: Frag[] = [];
  const terms = onlyTerms ?? keywordTerms(p);
  if (terms.length) parts.push(anyOf(terms.map((t) => [t])));
  for (const ph of p.phrases) parts.push(wq(quoted(ph)));
  if (p.authors.length) parts.push(authorQuery(p));
  if (!parts.length) return null;
  let q = sql`(${sql.join(parts, sql` && `)})`;
  if (p.excludes.length) q = sql`(${q} && (!! ${anyOf(p.excludes)}))`;
  return q;
}

function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** Filters on `papers p` that need no text index; mirrors keyword.ts `metadataFilter`. */
export function metadataFilter(p: ParsedQuery): Frag[] {
  const where: Frag[] = [];
  if (p.categories.length) {
    // SQLite's LIKE ignores ASCII case, as users type categories; ILIKE does here.
    const ors = p.categories.map((c) => (c.includes('.') ? sql`p.categories ILIKE ${`%"${c}"%`}` : sql`(p.categories ILIKE ${`%"${c}"%`} OR p.categories ILIKE ${`%"${c}.%`})`));
    where.push(sql`(${sql.join(ors, sql` OR `)})`);
  }
  if (p.year !== null) where.push(sql`p.published_at >= ${String(p.year)} AND p.published_at < ${String(p.year + 1)}`);
  if (p.after) where.push(sql`p.published_at >= ${p.after}`);
  if (p.before) where.push(sql`p.published_at < ${nextDay(p.before)}`);
  if (p.hasCode) where.push(sql`p.github_repo IS NOT NULL`);
  return where;
}

/** An author filter matches the authors field only: the B-weighted lexemes. */
function authorFilter(p: ParsedQuery): Frag {
  return sql`ts_filter(d.tsv, '{b}') @@ ${authorQuery(p)}`;
}

/** Every filter, the text ones included (for vector candidates and filter-only listings). */
export function fullFilter(p: ParsedQuery, withPhrases = false): Frag[] {
  const f = metadataFilter(p);
  if (withPhrases) for (const ph of p.phrases) f.push(sql`d.tsv @@ ${wq(quoted(ph))}`);
  if (p.authors.length) f.push(sql`d.tsv @@ ${authorQuery(p)}`, authorFilter(p));
  if (p.excludes.length) f.push(sql`NOT (d.tsv @@ ${anyOf(p.excludes)})`);
  return f;
}

const andAll = (w: Frag[]) => (w.length ? sql` AND ${sql.join(w, sql` AND `)}` : sql``);

/** Mirrors keyword.ts: common words leave retrieval (not the reranker) in large collections. */
function selectiveTerms(ts: TermStats, terms: string[]): string[] {
  if (terms.length < 3) return terms;
  const n = ts.collection().docs;
  if (n < COMMON_WORDS.minDocs) return terms;
  const df = ts.docFreqs(terms.map(porterStem));
  const dfOf = (t: string) => df.get(porterStem(t)) ?? 0;
  const rare = terms.filter((t) => dfOf(t) <= COMMON_WORDS.share * n);
  if (rare.length < 2) return terms;
  return rare.length <= COMMON_WORDS.maxTerms ? rare : [...rare].sort((a, b) => dfOf(a) - dfOf(b)).slice(0, COMMON_WORDS.maxTerms);
}

/**
 * The first-stage score. `cd`: ts_rank_cd over the weighted vector. `idf`: a BM25 approximation
 * without per-lexeme statistics in SQL: each query word present adds its idf (from the reranker's
 * df snapshot) times a saturating ts_rank of that word alone, so rare words outrank common ones as
 * in BM25, which ts_rank_cd (no idf at all) cannot do.
 */
function rankExpr(ts: TermStats, terms: string[], q: Frag): Frag {
  const norm = sql.raw(String(Math.trunc(PG_TUNING.normalization) | 0));
  if (PG_TUNING.ranking === 'cd' || terms.length < 2) return sql`ts_rank_cd(${WEIGHTS}, d.tsv, ${q}, ${norm})`;
  const n = Math.max(1, ts.collection().docs);
  const df = ts.docFreqs(terms.map(porterStem));
  const parts = terms.map((t) => {
    const w = idf(n, df.get(porterStem(t)) ?? 0);
    return sql`${sql.lit(Number(w.toFixed(4)))} * coalesce(ts_rank(${WEIGHTS}, d.tsv, ${wq(quoted([t]))}, ${norm}) / (ts_rank(${WEIGHTS}, d.tsv, ${wq(quoted([t]))}, ${norm}) + 0.1), 0)`;
  });
  return sql`(${sql.join(parts, sql` + `)} + ts_rank_cd(${WEIGHTS}, d.tsv, ${q}, ${norm}))`;
}

/** Top `limit` matches, filters applied inside the query. */
export async function keywordSearchPg(db: Db, ts: TermStats, p: ParsedQuery, limit: number, withTotal = true): Promise<KeywordResult> {
  const terms = selectiveTerms(ts, keywordTerms(p));
  const q = tsQuery(p, terms);
  if (!q) return { hits: [], total: 0 };
  const meta = metadataFilter(p);
  const where = [sql`d.tsv @@ ${q}`, ...(p.authors.length ? [authorFilter(p)] : []), ...meta];
  const from = meta.length ? sql`search_docs d JOIN papers p ON p.id = d.paper_id` : sql`search_docs d`;
  const rank = rankExpr(ts, terms, q);
  const top = async (candidates: Frag[]) =>
    (
      await sql<KeywordHit>`SELECT d.doc_id AS "docId", d.paper_id AS "paperId", ${rank} AS score FROM ${from}
        WHERE ${sql.join(candidates, sql` AND `)} ORDER BY score DESC, d.doc_id LIMIT ${limit}`.execute(db.kysely)
    ).rows.map((r) => ({ ...r, score: Number(r.score) }));
  const count = async () => Number((await sql<{ n: number }>`SELECT count(*) AS n FROM ${from} WHERE ${sql.join(where, sql` AND `)}`.execute(db.kysely)).rows[0].n);
  const large = ts.collection().docs >= PG_TUNING.pairsFromDocs;
  const pairs = large ? pairsQuery(terms) : null;
  // In a large collection nearly every query fills `limit`, so its total is needed: the count runs
  // on a second connection while the ranking runs, instead of after it (~50 ms at 195k papers).
  const early = withTotal && large ? count() : null;
  early?.catch(() => {}); // awaited below; a failure must not go unhandled meanwhile
  let rows = pairs ? await top([sql`d.tsv @@ ${pairs}`, ...where]) : [];
  if (rows.length < limit) rows = await top(where);
  let total = rows.length;
  if (withTotal && rows.length >= limit) total = await (early ?? count());
  else if (early) await early.catch(() => {});
  return { hits: rows, total };
}

/** Of the given keys, those that pass every filter (for vector candidates; drops deleted papers too). */
export async function filterKeysPg(db: Db, p: ParsedQuery, keys: number[], withPhrases = false): Promise<Set<number>> {
  if (!keys.length) return new Set();
  const f = fullFilter(p, withPhrases);
  const r = await sql<{ k: number }>`SELECT d.doc_id AS k FROM search_docs d JOIN papers p ON p.id = d.paper_id WHERE d.doc_id = ANY(${keys}::int[])${andAll(f)}`.execute(db.kysely);
  return new Set(r.rows.map((x) => x.k));
}

/** Papers matching only filters (no text), newest or most upvoted first. */
export async function filteredListingPg(db: Db, p: ParsedQuery, sort: 'newest' | 'upvotes', offset: number, limit: number): Promise<KeywordResult> {
  const f = fullFilter(p);
  const base = sql`FROM search_docs d JOIN papers p ON p.id = d.paper_id WHERE true${andAll(f)}`;
  // NULLS LAST: SQLite sorts NULL below every value, so undated papers come last there too.
  const order = sort === 'upvotes' ? sql`p.upvotes DESC, p.published_at DESC NULLS LAST, p.id DESC` : sql`p.published_at DESC NULLS LAST, p.id DESC`;
  const rows = (await sql<KeywordHit>`SELECT d.doc_id AS "docId", d.paper_id AS "paperId", 0 AS score ${base} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`.execute(db.kysely)).rows;
  const total = Number((await sql<{ n: number }>`SELECT count(*) AS n ${base}`.execute(db.kysely)).rows[0].n);
  return { hits: rows, total };
}

export { andAll, type Frag };
