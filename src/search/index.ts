import { stmt } from './stats.ts';
import type { Db } from '../storage/db.ts';
import type { Paper } from '../domain/paper.ts';
import { ensureSearchSchema, searchContext, syncSearchIndex, type SearchContext } from './context.ts';
import { filteredListing, filterKeys, fullFilter, keywordSearch } from './keyword.ts';
import { isEmptyQuery, keywordTerms, parseQuery, type ActiveFilter, type ParsedQuery, type SearchFilters } from './query.ts';
import { rerank, termVectorsOf } from './rerank.ts';
import { facetCounts, facetsForWhere, loadPapers, loadSortFields, loadTexts, type Facets } from './results.ts';
import { highlight, highlightStems, snippet } from './snippet.ts';
import { nearest } from './vectors.ts';
import { refreshDocFreqs } from './stats.ts';
import { paperText } from './embeddings/provider.ts';
import { words } from './tokenize.ts';

export { configureSearch, flushSearchIndex, searchIndexHook, syncSearchIndex, ensureSearchSchema } from './context.ts';
export { parseQuery, type ParsedQuery, type SearchFilters, type ActiveFilter } from './query.ts';
export type { EmbeddingProvider } from './embeddings/provider.ts';

/**
 * The search service the web layer and CLI call. One pipeline for every mode:
 * keyword = FTS5 bm25 top-k, reranked; semantic = nearest vectors; hybrid = the union of both,
 * reranked with the vector similarity as one more signal (weights in docs/SEARCH-QUALITY.md).
 * Filters apply inside each retrieval, never after paging, so a page is never silently short.
 */
export type SearchMode = 'keyword' | 'semantic' | 'hybrid';
export type SearchSort = 'relevance' | 'newest' | 'upvotes';

export interface SearchOptions {
  q: string;
  filters?: SearchFilters;
  sort?: SearchSort;
  /** Default: hybrid when a vector index exists, else keyword. */
  mode?: SearchMode;
  offset?: number;
  limit?: number;
  /** Skip facet counting (the HF-compatible endpoint does not show them). */
  facets?: boolean;
  /** Skip snippets and title highlighting (evaluation, id-only callers). */
  snippets?: boolean;
}

export interface SearchHit {
  paperId: string;
  score: number;
  scores: { keyword?: number; vector?: number };
  /** HTML-safe: escaped, matches wrapped in `<mark>`. */
  snippet: string;
  titleHtml: string;
  paper: Paper;
}

export interface SearchResult {
  hits: SearchHit[];
  total: number;
  facets: Facets;
  parsed: { q: string; mode: SearchMode; sort: SearchSort; filters: ActiveFilter[]; warnings: string[] };
}

/** How many keyword / vector candidates are reranked, and the pool sorted for newest/upvotes. */
export const TUNING = { rerankDepth: 100, vectorDepth: 100, vectorWeight: 0.15, sortPool: 1000 };

interface Cand {
  key: number;
  keyword?: number;
  vector?: number;
  score: number;
}

async function vectorCandidates(ctx: SearchContext, db: Db, p: ParsedQuery, depth: number): Promise<{ sims: Map<number, number>; qv: Float32Array | null }> {
  const sims = new Map<number, number>();
  const st = ctx.vectors;
  if (!st?.index || !ctx.provider || !p.semanticText.trim()) return { sims, qv: null };
  const [qv] = await ctx.provider.embed([p.semanticText], 'query');
  const filtered = p.filters.length > 0 || p.excludes.length > 0 || p.phrases.length > 0;
  let near = nearest(st, qv, filtered ? depth * 5 : depth + 10);
  // Drops papers deleted since the last sync, and applies filters (phrases are required in every mode).
  const ok = filterKeys(db.sqlite!, p, near.map(([k]) => k), true);
  near = near.filter(([k]) => ok.has(k));
  for (const [k, s] of near.slice(0, depth)) sims.set(k, s);
  return { sims, qv };
}

function hasVectors(ctx: SearchContext): boolean {
  return !!ctx.vectors?.index && ctx.vectors.index.size() > 0;
}

export async function searchPapers(db: Db, opts: SearchOptions): Promise<SearchResult> {
  await ensureSearchSchema(db);
  const sq = db.sqlite!;
  const ctx = await searchContext(db);
  const p = parseQuery(opts.q ?? '', opts.filters);
  const sort: SearchSort = opts.sort ?? 'relevance';
  const offset = Math.max(0, Math.floor(opts.offset ?? 0));
  const limit = Math.max(1, Math.min(200, Math.floor(opts.limit ?? 20)));
  let mode: SearchMode = opts.mode ?? (hasVectors(ctx) ? 'hybrid' : 'keyword');
  if (mode !== 'keyword' && !hasVectors(ctx)) mode = 'keyword';
  const parsed = { q: opts.q ?? '', mode, sort, filters: p.filters, warnings: p.warnings };
  const hasText = keywordTerms(p).length > 0 || p.phrases.length > 0;

  if (!hasText) {
    // No words: a filtered listing (or everything, newest first, for an empty query).
    if (isEmptyQuery(p) && !opts.q?.trim()) return { hits: [], total: 0, facets: { categories: [], years: [] }, parsed };
    const listing = filteredListing(sq, p, sort === 'upvotes' ? 'upvotes' : 'newest', offset, limit);
    const f = fullFilter(p);
    const facets = opts.facets === false ? { categories: [], years: [] } : facetsForWhere(sq, f.where.join(' AND '), f.params);
    return { hits: hydrate(sq, listing.hits.map((h) => ({ key: h.docId, score: 0 })), p), total: listing.total, facets, parsed };
  }

  const deep = sort === 'relevance' ? Math.max(TUNING.rerankDepth, offset + limit) : TUNING.sortPool;
  let cands: Cand[] = [];
  let total = 0;
  if (mode !== 'semantic') {
    const kw = keywordSearch(sq, p, deep);
    total = kw.total;
    cands = kw.hits.map((h) => ({ key: h.docId, keyword: h.score, score: h.score }));
  }
  let sims = new Map<number, number>();
  let qv: Float32Array | null = null;
  if (mode !== 'keyword') {
    ({ sims, qv } = await vectorCandidates(ctx, db, p, mode === 'semantic' ? Math.max(TUNING.vectorDepth, offset + limit) : TUNING.vectorDepth));
    const seen = new Set(cands.map((c) => c.key));
    for (const [k, s] of sims) {
      if (!seen.has(k)) {
        cands.push({ key: k, vector: s, score: mode === 'semantic' ? s : 0 });
        if (mode === 'hybrid') total++;
      }
    }
    for (const c of cands) if (sims.has(c.key)) c.vector = sims.get(c.key);
    if (mode === 'semantic') {
      cands.sort((a, b) => b.score - a.score);
      total = cands.length;
    }
  }
  if (mode !== 'semantic') {
    // Rerank the head: keyword top-k plus (hybrid) the vector candidates.
    const head = mode === 'hybrid' ? cands.filter((c, i) => i < TUNING.rerankDepth || c.keyword === undefined) : cands.slice(0, TUNING.rerankDepth);
    const headKeys = new Set(head.map((c) => c.key));
    const texts = loadTexts(sq, head.map((c) => c.key));
    if (mode === 'hybrid') await fillSims(ctx, head, texts, sims, qv);
    const order = rerank(
      sq,
      [...p.terms, ...p.phrases.flat()].join(' '),
      head.map((c) => ({ key: c.key, title: texts.get(c.key)?.title ?? '', abstract: texts.get(c.key)?.abstract ?? '', score: c.score })),
      mode === 'hybrid' ? { sims, vectorWeight: TUNING.vectorWeight, termVectors: termVectorsOf(ctx.provider) } : {},
    );
    const byKey = new Map(cands.map((c) => [c.key, c]));
    const reranked = order.map((o) => ({ ...byKey.get(o.key)!, score: o.score }));
    const minHead = reranked.length ? reranked[reranked.length - 1].score : 0;
    // The tail keeps its FTS order below the reranked head.
    cands = [...reranked, ...cands.filter((c) => !headKeys.has(c.key)).map((c, i) => ({ ...c, score: minHead - 1 - i * 1e-6 }))];
  }

  let facets: Facets = { categories: [], years: [] };
  if (sort !== 'relevance' || opts.facets !== false) {
    const fields = loadSortFields(sq, cands.map((c) => c.key));
    if (opts.facets !== false) facets = facetCounts(fields.values());
    if (sort !== 'relevance') {
      const f = (k: number) => fields.get(k);
      cands.sort((a, b) =>
        sort === 'newest'
          ? (f(b.key)?.publishedAt ?? '').localeCompare(f(a.key)?.publishedAt ?? '') || b.score - a.score
          : (f(b.key)?.upvotes ?? 0) - (f(a.key)?.upvotes ?? 0) || b.score - a.score,
      );
      total = Math.min(total, cands.length);
    }
  }
  return { hits: hydrate(sq, cands.slice(offset, offset + limit), p, opts.snippets !== false), total, facets, parsed };
}

/**
 * Hybrid: keyword candidates the ANN search did not return still need a similarity. The built-in
 * model embeds them exactly (microseconds each); for remote models that would be a network round
 * trip per query, so they get the lowest similarity seen instead.
 */
async function fillSims(ctx: SearchContext, head: Cand[], texts: Map<number, { title: string; abstract: string }>, sims: Map<number, number>, qv: Float32Array | null): Promise<void> {
  const missing = head.filter((c) => !sims.has(c.key));
  if (!missing.length || !ctx.provider || !qv || sims.size === 0) return;
  if (ctx.provider.name === 'builtin') {
    const vecs = await ctx.provider.embed(missing.map((c) => paperText(texts.get(c.key)?.title ?? '', texts.get(c.key)?.abstract ?? '')), 'document');
    missing.forEach((c, i) => {
      let d = 0;
      const v = vecs[i];
      for (let j = 0; j < v.length; j++) d += v[j] * qv[j];
      sims.set(c.key, d);
      c.vector = d;
    });
  } else {
    const floor = Math.min(...sims.values());
    for (const c of missing) sims.set(c.key, floor);
  }
}

function hydrate(sq: NonNullable<Db['sqlite']>, cands: Cand[], p: ParsedQuery, snippets = true): SearchHit[] {
  const papers = loadPapers(sq, cands.map((c) => c.key));
  const stems = highlightStems([...keywordTerms(p), ...p.phrases.flat()]);
  const out: SearchHit[] = [];
  for (const c of cands) {
    const paper = papers.get(c.key);
    if (!paper) continue;
    out.push({
      paperId: paper.id,
      score: c.score,
      scores: { ...(c.keyword !== undefined ? { keyword: c.keyword } : {}), ...(c.vector !== undefined ? { vector: c.vector } : {}) },
      snippet: snippets ? snippet(paper.abstract, stems) : '',
      titleHtml: snippets ? highlight(paper.title, stems) : '',
      paper,
    });
  }
  return out;
}

/** The k papers nearest to `paperId` (never itself). Falls back to keyword likeness without vectors. */
export async function similarPapers(db: Db, paperId: string, k = 10): Promise<{ paperId: string; score: number; paper: Paper }[]> {
  await ensureSearchSchema(db);
  const sq = db.sqlite!;
  const ctx = await searchContext(db);
  const row = stmt(sq, 'SELECT d.doc_id AS k, p.title AS t, p.abstract AS a FROM search_docs d JOIN papers p ON p.id = d.paper_id WHERE d.paper_id = ?').get(paperId) as { k: number; t: string; a: string } | undefined;
  if (!row) return [];
  let found: [number, number][] = [];
  if (hasVectors(ctx) && ctx.provider) {
    const [v] = await ctx.provider.embed([paperText(row.t, row.a)], 'document');
    found = nearest(ctx.vectors!, v, k + 5);
    const alive = filterKeys(sq, parseQuery(''), found.map(([key]) => key));
    found = found.filter(([key]) => alive.has(key));
  } else {
    // More-like-this: the paper's own rarest-looking words as an OR query.
    const ws = [...new Set(words(`${row.t} ${row.t} ${row.a}`))].filter((w) => w.length > 3).slice(0, 40);
    found = keywordSearch(sq, parseQuery(ws.join(' ')), k + 1, false).hits.map((h) => [h.docId, h.score]);
  }
  const keys = found.filter(([key]) => key !== row.k).slice(0, k);
  const papers = loadPapers(sq, keys.map(([key]) => key));
  return keys.filter(([key]) => papers.has(key)).map(([key, score]) => ({ paperId: papers.get(key)!.id, score, paper: papers.get(key)! }));
}

export interface RebuildProgress {
  phase: 'keyword' | 'train' | 'embed' | 'save';
  done: number;
  total: number;
  message?: string;
}

/** `dailypapers index rebuild`: rebuilds the FTS index from `papers`, then every vector. */
export async function rebuildIndex(db: Db, opts: { onProgress?: (p: RebuildProgress) => void; keyword?: boolean; vectors?: boolean } = {}): Promise<{ papers: number; embedded: number }> {
  await ensureSearchSchema(db);
  const sq = db.sqlite!;
  const progress = opts.onProgress ?? (() => {});
  const papers = (stmt(sq, 'SELECT count(*) AS n FROM papers').get() as { n: number }).n;
  if (opts.keyword !== false) {
    progress({ phase: 'keyword', done: 0, total: papers });
    sq.transaction(() => {
      sq.exec(`INSERT INTO papers_fts(papers_fts) VALUES ('delete-all');
        DELETE FROM search_docs WHERE paper_id NOT IN (SELECT id FROM papers);
        INSERT OR IGNORE INTO search_docs(paper_id) SELECT id FROM papers ORDER BY rowid;
        INSERT INTO papers_fts(rowid, title, authors, abstract) SELECT d.doc_id, p.title, p.authors, p.abstract FROM search_docs d JOIN papers p ON p.id = d.paper_id;
        INSERT INTO papers_fts(papers_fts) VALUES ('optimize');`);
    })();
    refreshDocFreqs(sq);
    progress({ phase: 'keyword', done: papers, total: papers });
  }
  let embedded = 0;
  if (opts.vectors !== false) embedded = await syncSearchIndex(db, { rebuild: true, forceSave: true, onProgress: (p) => progress(p) });
  return { papers, embedded };
}
