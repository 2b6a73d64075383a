import type { Paper } from '../domain/paper.ts';
import { keywordTerms, parseQuery, type ActiveFilter, type ParsedQuery, type SearchFilters } from './query.ts';
import { rerank, termVectorsOf } from './rerank.ts';
import { facetCounts, type Facets, type SortFields } from './results.ts';
import { highlight, highlightStems, snippet } from './snippet.ts';
import { paperText, type EmbeddingProvider } from './embeddings/provider.ts';
import type { TermStats } from './stats.ts';

/**
 * The parts of the search pipeline that read no database, shared by the SQLite engine (index.ts,
 * synchronous reads) and the PostgreSQL one (pg/search.ts): option handling, merging vector
 * candidates, reranking the head, sorting, and shaping hits.
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

export interface Cand {
  key: number;
  keyword?: number;
  vector?: number;
  score: number;
}

export interface RebuildProgress {
  phase: 'keyword' | 'train' | 'embed' | 'save';
  done: number;
  total: number;
  message?: string;
}

export interface Plan {
  p: ParsedQuery;
  sort: SearchSort;
  offset: number;
  limit: number;
  mode: SearchMode;
  parsed: SearchResult['parsed'];
  hasText: boolean;
}

export function plan(opts: SearchOptions, vectors: boolean): Plan {
  const p = parseQuery(opts.q ?? '', opts.filters);
  const sort: SearchSort = opts.sort ?? 'relevance';
  const offset = Math.max(0, Math.floor(opts.offset ?? 0));
  const limit = Math.max(1, Math.min(200, Math.floor(opts.limit ?? 20)));
  let mode: SearchMode = opts.mode ?? (vectors ? 'hybrid' : 'keyword');
  if (mode !== 'keyword' && !vectors) mode = 'keyword';
  const parsed = { q: opts.q ?? '', mode, sort, filters: p.filters, warnings: p.warnings };
  const hasText = keywordTerms(p).length > 0 || p.phrases.length > 0;
  return { p, sort, offset, limit, mode, parsed, hasText };
}

/** Adds the vector candidates to the keyword ones; returns the new total. */
export function mergeVectorCands(cands: Cand[], sims: Map<number, number>, mode: SearchMode, total: number): { cands: Cand[]; total: number } {
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
  return { cands, total };
}

/** The candidates the reranker orders: keyword top-k plus (hybrid) every vector candidate. */
export function rerankHead(cands: Cand[], mode: SearchMode): Cand[] {
  return mode === 'hybrid' ? cands.filter((c, i) => i < TUNING.rerankDepth || c.keyword === undefined) : cands.slice(0, TUNING.rerankDepth);
}

/** Reorders the head by the reranker; the tail keeps its first-stage order below it. */
export function rerankCands(ts: TermStats, p: ParsedQuery, mode: SearchMode, cands: Cand[], head: Cand[], texts: Map<number, { title: string; abstract: string }>, sims: Map<number, number>, provider: EmbeddingProvider | null): Cand[] {
  const headKeys = new Set(head.map((c) => c.key));
  const order = rerank(
    ts,
    [...p.terms, ...p.phrases.flat()].join(' '),
    head.map((c) => ({ key: c.key, title: texts.get(c.key)?.title ?? '', abstract: texts.get(c.key)?.abstract ?? '', score: c.score })),
    mode === 'hybrid' ? { sims, vectorWeight: TUNING.vectorWeight, termVectors: termVectorsOf(provider) } : {},
  );
  const byKey = new Map(cands.map((c) => [c.key, c]));
  const reranked = order.map((o) => ({ ...byKey.get(o.key)!, score: o.score }));
  const minHead = reranked.length ? reranked[reranked.length - 1].score : 0;
  return [...reranked, ...cands.filter((c) => !headKeys.has(c.key)).map((c, i) => ({ ...c, score: minHead - 1 - i * 1e-6 }))];
}

/** Facets of the candidates, and their order for newest/upvotes; returns the new total. */
export function sortAndFacet(cands: Cand[], fields: Map<number, SortFields>, sort: SearchSort, wantFacets: boolean, total: number): { facets: Facets; total: number } {
  let facets: Facets = { categories: [], years: [] };
  if (wantFacets) facets = facetCounts(fields.values());
  if (sort !== 'relevance') {
    const f = (k: number) => fields.get(k);
    cands.sort((a, b) =>
      sort === 'newest'
        ? (f(b.key)?.publishedAt ?? '').localeCompare(f(a.key)?.publishedAt ?? '') || b.score - a.score
        : (f(b.key)?.upvotes ?? 0) - (f(a.key)?.upvotes ?? 0) || b.score - a.score,
    );
    total = Math.min(total, cands.length);
  }
  return { facets, total };
}

/**
 * Hybrid: keyword candidates the ANN search did not return still need a similarity. The built-in
 * model embeds them exactly (microseconds each); for remote models that would be a network round
 * trip per query, so they get the lowest similarity seen instead.
 */
export async function fillSims(provider: EmbeddingProvider | null, head: Cand[], texts: Map<number, { title: string; abstract: string }>, sims: Map<number, number>, qv: Float32Array | null): Promise<void> {
  const missing = head.filter((c) => !sims.has(c.key));
  if (!missing.length || !provider || !qv || sims.size === 0) return;
  if (provider.name === 'builtin') {
    const vecs = await provider.embed(missing.map((c) => paperText(texts.get(c.key)?.title ?? '', texts.get(c.key)?.abstract ?? '')), 'document');
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

export function buildHits(papers: Map<number, Paper>, cands: Cand[], p: ParsedQuery, snippets = true): SearchHit[] {
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

type MaybeAsync<T> = T | Promise<T>;
type Texts = Map<number, { title: string; abstract: string }>;

/**
 * What a ranked search reads, from whichever database holds the index: SQLite answers at once,
 * PostgreSQL with promises, and the ranking between the reads is the same.
 */
export interface SearchStore {
  termStats(): MaybeAsync<TermStats>;
  keyword(ts: TermStats, p: ParsedQuery, limit: number): MaybeAsync<{ hits: { docId: number; score: number }[]; total: number }>;
  /** The k nearest vectors to `v`, or null when this database has no vector index yet. */
  nearest: ((v: Float32Array, k: number) => MaybeAsync<[number, number][]>) | null;
  /** Of `keys`, those that pass every filter, phrases included (drops papers deleted since a sync). */
  filterKeys(p: ParsedQuery, keys: number[]): MaybeAsync<Set<number>>;
  texts(keys: number[]): MaybeAsync<Texts>;
  sortFields(keys: number[]): MaybeAsync<Map<number, SortFields>>;
  papers(keys: number[]): MaybeAsync<Map<number, Paper>>;
}

/** The query's nearest papers that pass its filters, with their similarities. */
async function vectorCandidates(store: SearchStore, provider: EmbeddingProvider | null, p: ParsedQuery, depth: number): Promise<{ sims: Map<number, number>; qv: Float32Array | null }> {
  const sims = new Map<number, number>();
  if (!store.nearest || !provider || !p.semanticText.trim()) return { sims, qv: null };
  const [qv] = await provider.embed([p.semanticText], 'query');
  // Filters are applied after the vector search, so a filtered query looks further.
  const filtered = p.filters.length > 0 || p.excludes.length > 0 || p.phrases.length > 0;
  let near = await store.nearest(qv!, filtered ? depth * 5 : depth + 10);
  const ok = await store.filterKeys(p, near.map(([k]) => k));
  near = near.filter(([k]) => ok.has(k));
  for (const [k, s] of near.slice(0, depth)) sims.set(k, s);
  return { sims, qv: qv! };
}

/** Keyword and vector candidates, fused, the head reranked, then sorted, faceted and paged. */
export async function rankedSearch(store: SearchStore, provider: EmbeddingProvider | null, pl: Plan, opts: SearchOptions): Promise<SearchResult> {
  const { p, sort, offset, limit, mode, parsed } = pl;
  const ts = await store.termStats();
  const deep = sort === 'relevance' ? Math.max(TUNING.rerankDepth, offset + limit) : TUNING.sortPool;
  let cands: Cand[] = [];
  let total = 0;
  if (mode !== 'semantic') {
    const kw = await store.keyword(ts, p, deep);
    total = kw.total;
    cands = kw.hits.map((h) => ({ key: h.docId, keyword: h.score, score: h.score }));
  }
  let sims = new Map<number, number>();
  let qv: Float32Array | null = null;
  if (mode !== 'keyword') {
    ({ sims, qv } = await vectorCandidates(store, provider, p, mode === 'semantic' ? Math.max(TUNING.vectorDepth, offset + limit) : TUNING.vectorDepth));
    ({ cands, total } = mergeVectorCands(cands, sims, mode, total));
  }
  if (mode !== 'semantic') {
    // Rerank the head: keyword top-k plus (hybrid) the vector candidates.
    const head = rerankHead(cands, mode);
    const texts = await store.texts(head.map((c) => c.key));
    if (mode === 'hybrid') await fillSims(provider, head, texts, sims, qv);
    cands = rerankCands(ts, p, mode, cands, head, texts, sims, provider);
  }
  let facets: Facets = { categories: [], years: [] };
  if (sort !== 'relevance' || opts.facets !== false) {
    ({ facets, total } = sortAndFacet(cands, await store.sortFields(cands.map((c) => c.key)), sort, opts.facets !== false, total));
  }
  const page = cands.slice(offset, offset + limit);
  return { hits: buildHits(await store.papers(page.map((c) => c.key)), page, p, opts.snippets !== false), total, facets, parsed };
}
