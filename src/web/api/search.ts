/**
 * The search JSON API:
 *
 *   GET /api/papers/search?q=&limit=     Hugging Face compatible: the /api/daily_papers item shape
 *   GET /api/search?q=&cat=&year=&after=&before=&author=&has=code&sort=&mode=&page=&limit=
 *                                        filters, sort, mode, scores, facets and paging
 *
 * Mounted after apiRoutes (app.ts), whose read-only CORS middleware for `/api/*` then covers these
 * too. Both are thin: parse at the edge (400 problems naming the parameter), call the engine in
 * src/search, serialise with the same functions as the rest of the API.
 */
import { Hono, type Context } from 'hono';
import type { AppDeps } from '../deps.ts';
import type { Config } from '../../config.ts';
import type { DailyEntry, Paper } from '../../domain/paper.ts';
import { parseArxivRef } from '../../domain/arxiv-id.ts';
import { AppError } from '../../services/errors.ts';
import { entriesFor, getPaper } from '../../storage/papers-repo.ts';
import { searchPapers, type SearchFilters } from '../../search/index.ts';
import { highlight, snippet } from '../../search/snippet.ts';
import { parseQuery } from './schemas.ts';
import { toDailyPaperItem, toPaperDetail } from './serialize.ts';
import { CATEGORY_RE, hfSearchQuery, searchQuery, type SearchPaperItem, type SearchResponse } from './search-schemas.ts';

const LIST_CACHE = 'public, max-age=60';

/**
 * A paper as a `/api/papers/search` item. Featured papers get exactly the daily-papers item; a
 * paper never featured has no daily submission, so `submittedOnDailyAt`, `submittedOnDailyBy` and
 * `submittedBy` are left out (Hugging Face clients treat them as optional) and the item's
 * `publishedAt` falls back to the paper's arXiv submission time.
 */
export function toSearchItem(config: Config, paper: Paper, entry: DailyEntry | null): SearchPaperItem {
  if (entry) return toDailyPaperItem(config, { paper, entry });
  const d = toPaperDetail(config, paper, null);
  return {
    paper: {
      id: d.id,
      authors: d.authors,
      publishedAt: d.publishedAt,
      title: d.title,
      summary: d.summary,
      upvotes: d.upvotes,
      discussionId: d.discussionId,
      githubRepo: d.githubRepo,
      projectPage: d.projectPage,
    },
    publishedAt: d.publishedAt,
    title: d.title,
    summary: d.summary,
    thumbnail: d.thumbnail,
    numComments: d.numComments,
    isAuthorParticipating: false,
  };
}

/** A pasted arXiv id or URL names one paper: answer with it rather than a text search that cannot match ids. */
async function exactPaper(deps: AppDeps, q: string): Promise<{ paper: Paper; entry: DailyEntry | null } | null> {
  const ref = parseArxivRef(q.trim());
  return ref ? getPaper(deps.db, ref.id) : null;
}

/** Repeated `cat` parameters (the schema sees only the first); each is validated like it. */
function categories(c: Context): string[] {
  const all = (c.req.queries('cat') ?? []).filter((v) => v !== '');
  for (const v of all) {
    if (!CATEGORY_RE.test(v)) throw AppError.badRequest(`cat must be an arXiv category like cs.CL or an archive like cs; got ${JSON.stringify(v)}`, 'cat');
  }
  return all;
}

export function searchApiRoutes(deps: AppDeps): Hono {
  const { db, config } = deps;
  const app = new Hono();

  app.get('/api/papers/search', async (c) => {
    const q = parseQuery(hfSearchQuery, c.req.query());
    c.header('Cache-Control', LIST_CACHE);
    const exact = await exactPaper(deps, q.q);
    if (exact) {
      c.header('X-Total-Count', '1');
      return c.json([toSearchItem(config, exact.paper, exact.entry)]);
    }
    const r = await searchPapers(db, { q: q.q, limit: q.limit, facets: false, snippets: false });
    const entries = await entriesFor(db, r.hits.map((h) => h.paperId));
    c.header('X-Total-Count', String(r.total));
    return c.json(r.hits.map((h) => toSearchItem(config, h.paper, entries.get(h.paperId) ?? null)));
  });

  app.get('/api/search', async (c) => {
    const q = parseQuery(searchQuery, c.req.query());
    const cats = categories(c);
    const filters: SearchFilters = {
      category: cats,
      year: q.year,
      after: q.after,
      before: q.before,
      author: q.author,
      hasCode: q.has === 'code',
    };
    const text = q.q ?? '';
    const hasFilter = cats.length > 0 || q.year !== undefined || !!q.after || !!q.before || !!q.author || !!q.has;
    if (!text.trim() && !hasFilter) throw AppError.badRequest('q is required unless a filter (cat, year, after, before, author, has) is given', 'q');
    c.header('Cache-Control', LIST_CACHE);

    const exact = !hasFilter && q.page === 1 ? await exactPaper(deps, text) : null;
    const r = exact ? null : await searchPapers(db, { q: text, filters, sort: q.sort, mode: q.mode, offset: (q.page - 1) * q.limit, limit: q.limit });
    // No words to highlight in an id: the escaped title and abstract opening, as the engine shapes them.
    const hits = exact ? [{ paper: exact.paper, score: 1, scores: {}, snippet: snippet(exact.paper.abstract, new Set()), titleHtml: highlight(exact.paper.title, new Set()) }] : r!.hits;
    const entries = await entriesFor(db, hits.map((h) => h.paper.id));
    const body: SearchResponse = {
      query: r
        ? { q: r.parsed.q, mode: r.parsed.mode, sort: r.parsed.sort, filters: r.parsed.filters.map(({ key, value, label }) => ({ key, value, label })), warnings: r.parsed.warnings }
        : { q: text, mode: q.mode ?? 'keyword', sort: q.sort, filters: [], warnings: [] },
      total: r ? r.total : 1,
      page: q.page,
      limit: q.limit,
      results: hits.map((h) => {
        const entry = entries.get(h.paper.id) ?? null;
        return { paper: toPaperDetail(config, h.paper, entry), score: h.score, scores: h.scores, snippet: h.snippet, titleHtml: h.titleHtml, featuredDay: entry?.day ?? null };
      }),
      facets: r ? r.facets : { categories: [], years: [] },
    };
    return c.json(body);
  });

  return app;
}
