import { z } from 'zod';
import { normaliseDate } from '../../search/query.ts';
import { apiSchemas, feedPaperSchema, paperDetailSchema, userSchema } from './schemas.ts';

/**
 * The search API's contract: query schemas validate requests at the edge (every message names its
 * parameter, and parseQuery in schemas.ts turns the first issue into a 400 problem with `param`),
 * response schemas type the handlers, and `searchPaths` puts both endpoints in the OpenAPI
 * document. Registered in the shared `apiSchemas` registry so components are shared.
 */
function doc<T extends z.ZodType>(schema: T, description: string, extra: { id?: string; example?: unknown } = {}): T {
  apiSchemas.add(schema, { description, ...extra });
  return schema;
}

/** Hugging Face caps `/api/papers/search` at 120 results with no further pages; so do we. */
export const HF_SEARCH_MAX = 120;
export const HF_SEARCH_DEFAULT = 50;
export const QUERY_MAX_CHARS = 250;
/** Deep pages cost a full rerank each; nobody reads page 500 of a search. */
export const MAX_PAGE = 500;

function int(name: string, min: number, max: number) {
  const msg = `${name} must be an integer between ${min} and ${max}`;
  return z.coerce.number({ error: msg }).int({ error: msg }).min(min, { error: msg }).max(max, { error: msg });
}
const intParam = (name: string, min: number, max: number, def: number, description: string) => doc(int(name, min, max).default(def), description);

const queryText = () =>
  z
    .string({ error: `q is required: the search text (1-${QUERY_MAX_CHARS} characters)` })
    .max(QUERY_MAX_CHARS, { error: `q must be at most ${QUERY_MAX_CHARS} characters` })
    .refine((s) => s.trim().length > 0, { error: 'q must contain something other than spaces' });

export const CATEGORY_RE = /^[a-zA-Z][a-zA-Z-]{0,15}(\.[a-zA-Z-]{1,8})?$/;

/** `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, as the `after:`/`before:` syntax accepts. */
const dateParam = (name: string, description: string, example: string) =>
  doc(
    z
      .string()
      .refine((s) => normaliseDate(s, false) !== null, { error: (iss) => `${name} must be a date YYYY-MM-DD (or YYYY-MM, YYYY); got ${JSON.stringify(iss.input)}` })
      .optional(),
    description,
    { example },
  );

export const hfSearchQuery = z.object({
  q: doc(queryText(), `Search text, 1-${QUERY_MAX_CHARS} characters. The search-box syntax works here too ("exact phrase", -exclude, cat:cs.CL, year:2024, author:hinton, has:code).`, { example: 'kv cache compression' }),
  limit: intParam('limit', 1, HF_SEARCH_MAX, HF_SEARCH_DEFAULT, `Results to return (1-${HF_SEARCH_MAX}, default ${HF_SEARCH_DEFAULT}); there are no further pages, as on Hugging Face.`),
});

export const searchQuery = z.object({
  q: doc(queryText().optional(), `Search text, at most ${QUERY_MAX_CHARS} characters, with the search-box syntax. Optional when a filter is given (then papers are listed newest first).`, { example: '"diffusion models" -video' }),
  cat: doc(z.string().regex(CATEGORY_RE, { error: (iss) => `cat must be an arXiv category like cs.CL or an archive like cs; got ${JSON.stringify(iss.input)}` }).optional(), 'Only papers in this category (cs.CL) or archive (cs). Repeat the parameter for any of several.', { example: 'cs.CL' }),
  year: doc(int('year', 1000, 9999).optional(), 'Only papers first submitted in this year.'),
  after: dateParam('after', 'Only papers submitted on or after this day (inclusive).', '2025-01-01'),
  before: dateParam('before', 'Only papers submitted on or before this day (inclusive).', '2025-06-30'),
  author: doc(z.string().min(1).max(100, { error: 'author must be at most 100 characters' }).optional(), 'Only papers with an author whose name contains these words in this order: hinton, or geoffrey hinton.', { example: 'hinton' }),
  has: doc(z.enum(['code'], { error: 'has must be code' }).optional(), 'has=code: only papers with a code repository link.'),
  sort: doc(z.enum(['relevance', 'newest', 'upvotes'], { error: 'sort must be one of relevance, newest, upvotes' }).default('relevance'), 'relevance (default), newest (arXiv submission), or upvotes.'),
  mode: doc(
    z.enum(['hybrid', 'keyword', 'semantic'], { error: 'mode must be one of hybrid, keyword, semantic' }).optional(),
    'hybrid (default when a vector index exists): keyword and semantic candidates reranked together; keyword: full-text only; semantic: nearest vectors only. Falls back to keyword (reported in query.mode) when there is no vector index.',
  ),
  page: intParam('page', 1, MAX_PAGE, 1, `1-based page number (at most ${MAX_PAGE}).`),
  limit: intParam('limit', 1, 100, 20, 'Results per page (1-100, default 20).'),
});
export type SearchQuery = z.output<typeof searchQuery>;

// ---------------------------------------------------------------------------------------------
// Responses.

const isoDateTime = z.iso.datetime();

export const searchFeedPaperSchema = doc(
  feedPaperSchema.extend({
    submittedOnDailyAt: doc(isoDateTime.optional(), 'When the paper was featured; absent if it never was.'),
    submittedOnDailyBy: userSchema.optional(),
  }),
  'The paper inside a search item: the daily-papers paper shape, whose daily-submission fields are absent for papers never featured.',
  { id: 'SearchFeedPaper' },
);

export const searchPaperItemSchema = doc(
  z.object({
    paper: searchFeedPaperSchema,
    publishedAt: doc(isoDateTime, 'When the paper was featured on the daily feed; for papers never featured, its arXiv submission time.'),
    title: z.string(),
    summary: z.string(),
    thumbnail: z.string(),
    numComments: z.number().int(),
    submittedBy: doc(userSchema.optional(), 'Absent for papers never featured.'),
    isAuthorParticipating: z.boolean(),
  }),
  'One item of GET /api/papers/search: the GET /api/daily_papers item shape (Hugging Face compatible); papers never featured omit the submission fields.',
  { id: 'SearchPaperItem' },
);

const facetCount = z.object({ value: z.string(), count: z.number().int() });

export const searchResultSchema = doc(
  z.object({
    paper: paperDetailSchema,
    score: doc(z.number(), 'Relevance score (higher is better); comparable within one response only.'),
    scores: doc(z.object({ keyword: z.number().optional(), vector: z.number().optional() }), 'The signals behind the score: negated bm25 of the keyword match, cosine similarity of the vectors. Absent when that retrieval did not find the paper.'),
    snippet: doc(z.string(), 'HTML: an escaped excerpt of the abstract with matched terms wrapped in <mark>.'),
    titleHtml: doc(z.string(), 'HTML: the escaped title with matched terms wrapped in <mark>.'),
    featuredDay: doc(z.string().nullable(), 'The feed day (YYYY-MM-DD) the paper was featured on; null if never.'),
  }),
  'One search hit.',
  { id: 'SearchResult' },
);

export const searchResponseSchema = doc(
  z.object({
    query: doc(
      z.object({
        q: z.string(),
        mode: doc(z.enum(['hybrid', 'keyword', 'semantic']), 'The mode actually used (keyword when semantic was asked for but no vector index exists).'),
        sort: z.enum(['relevance', 'newest', 'upvotes']),
        filters: doc(z.array(z.object({ key: z.string(), value: z.string(), label: z.string() })), 'Every active filter, typed in q or given as a parameter.'),
        warnings: doc(z.array(z.string()), 'Parts of the query that were ignored, and why.'),
      }),
      'How the query was understood.',
    ),
    total: doc(z.number().int(), 'Matching papers across all pages.'),
    page: z.number().int(),
    limit: z.number().int(),
    results: z.array(searchResultSchema),
    facets: doc(
      z.object({ categories: z.array(facetCount), years: z.array(facetCount) }),
      'Counts by category (top 20) and by submission year, over the ranked candidates (at least the top 100 matches).',
    ),
  }),
  'A page of search results with scores and facets.',
  { id: 'SearchResponse' },
);

export type SearchPaperItem = z.output<typeof searchPaperItemSchema>;
export type SearchResponse = z.output<typeof searchResponseSchema>;

type Json = Record<string, unknown>;

/** OpenAPI paths; `ref`, `problem` and `params` come from openapi.ts so components stay shared. */
export function searchPaths(ref: (s: z.ZodType) => Json, problem: (d: string) => Json, params: (s: z.ZodObject) => Json[]): Record<string, Json> {
  const bad = problem('A parameter is invalid; `detail` and `param` name it.');
  return {
    '/api/papers/search': {
      get: {
        operationId: 'searchPapersHf',
        summary: 'Search papers (Hugging Face compatible): the daily-papers item shape, best match first',
        parameters: params(hfSearchQuery),
        responses: {
          200: {
            description: 'Up to `limit` papers, best first.',
            headers: { 'X-Total-Count': { description: 'Matching papers (more than returned when over the limit).', schema: { type: 'integer' } } },
            content: { 'application/json': { schema: { type: 'array', items: ref(searchPaperItemSchema) } } },
          },
          400: bad,
        },
      },
    },
    '/api/search': {
      get: {
        operationId: 'searchPapers',
        summary: 'Search papers with filters, sort, mode, per-result scores, facets and paging',
        parameters: params(searchQuery),
        responses: { 200: { description: 'One page of results.', content: { 'application/json': { schema: ref(searchResponseSchema) } } }, 400: bad },
      },
    },
  };
}
