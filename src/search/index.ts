import { stmt } from './stats.ts';
import type { Db } from '../storage/db.ts';
import type { Paper } from '../domain/paper.ts';
import { ensureSearchSchema, searchContext, syncSearchIndex, type SearchContext } from './context.ts';
import { filteredListing, filterKeys, fullFilter, keywordSearch } from './keyword.ts';
import { isEmptyQuery, parseQuery, type ParsedQuery } from './query.ts';
import { facetsForWhere, loadPapers, loadSortFields, loadTexts } from './results.ts';
import { nearest } from './vectors.ts';
import { refreshDocFreqs, sqliteTermStats } from './stats.ts';
import { paperText } from './embeddings/provider.ts';
import { words } from './tokenize.ts';
import { buildHits, plan, rankedSearch, type Cand, type SearchHit, type SearchOptions, type SearchResult, type RebuildProgress } from './pipeline.ts';
import { rebuildIndexPg, searchPapersPg, similarPapersPg } from './pg/search.ts';

export { configureSearch, flushSearchIndex, searchIndexHook, syncSearchIndex, ensureSearchSchema } from './context.ts';
export { parseQuery, type ParsedQuery, type SearchFilters, type ActiveFilter } from './query.ts';
export type { EmbeddingProvider } from './embeddings/provider.ts';
export { TUNING, type SearchMode, type SearchSort, type SearchOptions, type SearchHit, type SearchResult, type RebuildProgress } from './pipeline.ts';

/**
 * The search service the web layer and CLI call. One pipeline for every mode:
 * keyword = FTS5 bm25 top-k, reranked; semantic = nearest vectors; hybrid = the union of both,
 * reranked with the vector similarity as one more signal (weights in docs/SEARCH-QUALITY.md).
 * Filters apply inside each retrieval, never after paging, so a page is never silently short.
 * PostgreSQL runs the same pipeline with asynchronous reads (pg/search.ts); SQLite's reads stay
 * synchronous here.
 */
function hasVectors(ctx: SearchContext): boolean {
  return !!ctx.vectors?.index && ctx.vectors.index.size() > 0;
}

export async function searchPapers(db: Db, opts: SearchOptions): Promise<SearchResult> {
  if (db.dialect === 'postgres') return searchPapersPg(db, opts);
  await ensureSearchSchema(db);
  const sq = db.sqlite!;
  const ctx = await searchContext(db);
  const pl = plan(opts, hasVectors(ctx));
  const { p, sort, offset, limit, parsed, hasText } = pl;

  if (!hasText) {
    // No words: a filtered listing (or everything, newest first, for an empty query).
    if (isEmptyQuery(p) && !opts.q?.trim()) return { hits: [], total: 0, facets: { categories: [], years: [] }, parsed };
    const listing = filteredListing(sq, p, sort === 'upvotes' ? 'upvotes' : 'newest', offset, limit);
    const f = fullFilter(p);
    const facets = opts.facets === false ? { categories: [], years: [] } : facetsForWhere(sq, f.where.join(' AND '), f.params);
    return { hits: hydrate(sq, listing.hits.map((h) => ({ key: h.docId, score: 0 })), p), total: listing.total, facets, parsed };
  }

  return rankedSearch(
    {
      termStats: () => sqliteTermStats(sq),
      keyword: (_ts, q, n) => keywordSearch(sq, q, n),
      nearest: ctx.vectors?.index ? (v, k) => nearest(ctx.vectors!, v, k) : null,
      filterKeys: (q, keys) => filterKeys(sq, q, keys, true),
      texts: (keys) => loadTexts(sq, keys),
      sortFields: (keys) => loadSortFields(sq, keys),
      papers: (keys) => loadPapers(sq, keys),
    },
    ctx.provider,
    pl,
    opts,
  );
}

function hydrate(sq: NonNullable<Db['sqlite']>, cands: Cand[], p: ParsedQuery, snippets = true): SearchHit[] {
  return buildHits(loadPapers(sq, cands.map((c) => c.key)), cands, p, snippets);
}

/** The k papers nearest to `paperId` (never itself). Falls back to keyword likeness without vectors. */
export async function similarPapers(db: Db, paperId: string, k = 10): Promise<{ paperId: string; score: number; paper: Paper }[]> {
  if (db.dialect === 'postgres') return similarPapersPg(db, paperId, k);
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

/** `dailypapers index rebuild`: rebuilds the FTS index from `papers`, then every vector. */
export async function rebuildIndex(db: Db, opts: { onProgress?: (p: RebuildProgress) => void; keyword?: boolean; vectors?: boolean } = {}): Promise<{ papers: number; embedded: number }> {
  if (db.dialect === 'postgres') return rebuildIndexPg(db, opts);
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
