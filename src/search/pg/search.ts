import { sql } from 'kysely';
import type { Db } from '../../storage/db.ts';
import type { Paper } from '../../domain/paper.ts';
import { ensureSearchSchema, searchContext, syncSearchIndex, type SearchContext } from '../context.ts';
import { isEmptyQuery, parseQuery, type ParsedQuery } from '../query.ts';
import { nearest } from '../vectors.ts';
import { paperText } from '../embeddings/provider.ts';
import { words } from '../tokenize.ts';
import { buildHits, plan, rankedSearch, type Cand, type RebuildProgress, type SearchHit, type SearchOptions, type SearchResult } from '../pipeline.ts';
import { filteredListingPg, filterKeysPg, fullFilter, keywordSearchPg } from './keyword.ts';
import { facetsForWherePg, loadPapersPg, loadSortFieldsPg, loadTextsPg } from './results.ts';
import { pgTermStats, refreshDocFreqsPg } from './stats.ts';
import { refreshPgVectors, type PgVectorState } from './vectors.ts';
import { pgvectorNearest, pgvectorSimilar } from './pgvector-search.ts';

/**
 * index.ts's pipeline on PostgreSQL: the same stages and shared scoring, with tsvector retrieval
 * and asynchronous reads. The vector index is this process's copy, caught up from the change log
 * (at most once a second) before it is used, so another process's writes show within seconds;
 * with pgvector the nearest-neighbour queries are SQL over the one shared index instead.
 */

function nearestPg(db: Db, st: PgVectorState, v: Float32Array, k: number): Promise<[number, number][]> | [number, number][] {
  return st.backend === 'pgvector' ? pgvectorNearest(db.pg!, v, k) : nearest(st, v, k);
}

async function vectorsReady(db: Db, ctx: SearchContext): Promise<boolean> {
  const st = ctx.pgVectors;
  if (!st) return false;
  await refreshPgVectors(db, st);
  return !!st.index && st.index.size() > 0;
}

async function hydrate(db: Db, cands: Cand[], p: ParsedQuery, snippets = true): Promise<SearchHit[]> {
  return buildHits(await loadPapersPg(db, cands.map((c) => c.key)), cands, p, snippets);
}

export async function searchPapersPg(db: Db, opts: SearchOptions): Promise<SearchResult> {
  await ensureSearchSchema(db);
  const ctx = await searchContext(db);
  const pl = plan(opts, await vectorsReady(db, ctx));
  const { p, sort, offset, limit, parsed, hasText } = pl;

  if (!hasText) {
    if (isEmptyQuery(p) && !opts.q?.trim()) return { hits: [], total: 0, facets: { categories: [], years: [] }, parsed };
    const listing = await filteredListingPg(db, p, sort === 'upvotes' ? 'upvotes' : 'newest', offset, limit);
    const facets = opts.facets === false ? { categories: [], years: [] } : await facetsForWherePg(db, fullFilter(p));
    return { hits: await hydrate(db, listing.hits.map((h) => ({ key: h.docId, score: 0 })), p), total: listing.total, facets, parsed };
  }

  return rankedSearch(
    {
      termStats: () => pgTermStats(db),
      keyword: (ts, q, n) => keywordSearchPg(db, ts, q, n),
      nearest: ctx.pgVectors?.index ? (v, k) => nearestPg(db, ctx.pgVectors!, v, k) : null,
      filterKeys: (q, keys) => filterKeysPg(db, q, keys, true),
      texts: (keys) => loadTextsPg(db, keys),
      sortFields: (keys) => loadSortFieldsPg(db, keys),
      papers: (keys) => loadPapersPg(db, keys),
    },
    ctx.provider,
    pl,
    opts,
  );
}

export async function similarPapersPg(db: Db, paperId: string, k = 10): Promise<{ paperId: string; score: number; paper: Paper }[]> {
  await ensureSearchSchema(db);
  const ctx = await searchContext(db);
  const row = (await sql<{ k: number; t: string; a: string }>`SELECT d.doc_id AS k, p.title AS t, p.abstract AS a FROM search_docs d JOIN papers p ON p.id = d.paper_id WHERE d.paper_id = ${paperId}`.execute(db.kysely)).rows[0];
  if (!row) return [];
  let found: [number, number][] = [];
  if ((await vectorsReady(db, ctx)) && ctx.provider) {
    const st = ctx.pgVectors!;
    // pgvector: the paper's stored vector, unless it is not embedded yet.
    const stored = st.backend === 'pgvector' ? await pgvectorSimilar(db.pg!, row.k, k + 5) : null;
    found = stored ?? (await nearestPg(db, st, (await ctx.provider.embed([paperText(row.t, row.a)], 'document'))[0], k + 5));
    const alive = await filterKeysPg(db, parseQuery(''), found.map(([key]) => key));
    found = found.filter(([key]) => alive.has(key));
  } else {
    // More-like-this: the paper's own words as an OR query.
    const ws = [...new Set(words(`${row.t} ${row.t} ${row.a}`))].filter((w) => w.length > 3).slice(0, 40);
    found = (await keywordSearchPg(db, await pgTermStats(db), parseQuery(ws.join(' ')), k + 1, false)).hits.map((h) => [h.docId, h.score]);
  }
  const keys = found.filter(([key]) => key !== row.k).slice(0, k);
  const papers = await loadPapersPg(db, keys.map(([key]) => key));
  return keys.filter(([key]) => papers.has(key)).map(([key, score]) => ({ paperId: papers.get(key)!.id, score, paper: papers.get(key)! }));
}

/** `dailypapers index rebuild` on PostgreSQL: recomputes every tsvector, the df snapshot, then every vector. */
export async function rebuildIndexPg(db: Db, opts: { onProgress?: (p: RebuildProgress) => void; keyword?: boolean; vectors?: boolean } = {}): Promise<{ papers: number; embedded: number }> {
  await ensureSearchSchema(db);
  const progress = opts.onProgress ?? (() => {});
  const papers = Number((await sql<{ n: number }>`SELECT count(*) AS n FROM papers`.execute(db.kysely)).rows[0].n);
  if (opts.keyword !== false) {
    progress({ phase: 'keyword', done: 0, total: papers });
    await db.kysely.transaction().execute(async (tx) => {
      const orphans = sql`SELECT doc_id FROM search_docs d WHERE NOT EXISTS (SELECT 1 FROM papers p WHERE p.id = d.paper_id)`;
      await sql`INSERT INTO search_changes(doc_id, deleted) SELECT doc_id, true FROM (${orphans}) o`.execute(tx);
      await sql`DELETE FROM search_vectors WHERE doc_id IN (${orphans})`.execute(tx);
      await sql`DELETE FROM search_docs WHERE doc_id IN (${orphans})`.execute(tx);
      await sql`INSERT INTO search_docs(paper_id, tsv) SELECT id, search_tsv(title, authors, abstract) FROM papers ORDER BY id ON CONFLICT (paper_id) DO NOTHING`.execute(tx);
      // Only rows whose vector disagrees (a changed text configuration) are rewritten.
      await sql`UPDATE search_docs d SET tsv = search_tsv(p.title, p.authors, p.abstract) FROM papers p WHERE p.id = d.paper_id AND d.tsv IS DISTINCT FROM search_tsv(p.title, p.authors, p.abstract)`.execute(tx);
    });
    await refreshDocFreqsPg(db);
    progress({ phase: 'keyword', done: papers, total: papers });
  }
  let embedded = 0;
  if (opts.vectors !== false) embedded = await syncSearchIndex(db, { rebuild: true, forceSave: true, onProgress: (p) => progress(p) });
  return { papers, embedded };
}
