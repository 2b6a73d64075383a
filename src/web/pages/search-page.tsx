/**
 * `/search`: full-text and semantic search over every paper on the hub, server-rendered and
 * working without JavaScript. A pasted arXiv id or URL jumps straight to the paper.
 *
 * Filters come from two places that mean the same thing: typed in the box (`cat:cs.CL`) and the
 * form controls (`?cat=cs.CL`). Every active filter is shown as a chip whose link is this search
 * without it, whichever place it came from; when filters leave nothing, the page says which filter
 * to drop and how many papers that would bring back.
 */
import type { Context } from 'hono';
import type { AppDeps } from '../deps.ts';
import type { Config } from '../../config.ts';
import { parseArxivRef } from '../../domain/arxiv-id.ts';
import { searchPapers, type ActiveFilter, type SearchFilters, type SearchResult } from '../../search/index.ts';
import { isEmptyQuery, parseQuery } from '../../search/query.ts';
import type { SearchMode, SearchSort } from '../../search/index.ts';
import { entriesFor } from '../../storage/papers-repo.ts';
import { MAX_PAGE, QUERY_MAX_CHARS } from '../api/search-schemas.ts';
import { Layout } from './layout.tsx';
import { cardContext, UpvoteScript } from './upvote-button.tsx';
import { paperPath } from './urls.ts';
import { FEED_CACHE_CONTROL } from './feed-page.tsx';
import { Facets, FilterChips, Landing, Relaxations, ResultList, SearchForm, SearchHelp, SearchPager, SEARCH_CSS, SortNav, type FacetLink, type Relaxation } from './search-view.tsx';

export const SEARCH_PAGE_SIZE = 20;
const SORTS: readonly SearchSort[] = ['relevance', 'newest', 'upvotes'];
const MODES: readonly SearchMode[] = ['hybrid', 'keyword', 'semantic'];

/** What the URL asks for. Every field maps to one query parameter, so a state is a link. */
export interface SearchState {
  q: string;
  cats: string[];
  year: string;
  after: string;
  before: string;
  author: string;
  code: boolean;
  sort: SearchSort;
  /** null: the engine's default (hybrid when a vector index exists). */
  mode: SearchMode | null;
  page: number;
}

/**
 * Lenient on purpose: a hand-edited or stale URL still gets a results page. Bad filter values are
 * left for the engine, which ignores them with a warning; bad sort, mode and page fall back here.
 */
function readState(c: Context): { s: SearchState; notes: string[] } {
  const notes: string[] = [];
  const one = (k: string) => (c.req.query(k) ?? '').trim();
  let q = c.req.query('q') ?? '';
  if (q.length > QUERY_MAX_CHARS) {
    q = q.slice(0, QUERY_MAX_CHARS);
    notes.push(`Your search was shortened to its first ${QUERY_MAX_CHARS} characters.`);
  }
  const sortRaw = one('sort');
  const sort = (SORTS as string[]).includes(sortRaw) ? (sortRaw as SearchSort) : 'relevance';
  if (sortRaw && sort !== sortRaw) notes.push(`Unknown sort "${sortRaw}": sorted by relevance.`);
  const modeRaw = one('mode');
  const mode = (MODES as string[]).includes(modeRaw) ? (modeRaw as SearchMode) : null;
  if (modeRaw && !mode) notes.push(`Unknown mode "${modeRaw}": using the default.`);
  const pageRaw = one('page');
  let page = /^\d{1,6}$/.test(pageRaw) ? Math.max(1, Number(pageRaw)) : 1;
  if (page > MAX_PAGE) page = MAX_PAGE;
  const has = one('has').toLowerCase();
  return {
    s: {
      q,
      cats: (c.req.queries('cat') ?? []).map((v) => v.trim()).filter(Boolean).slice(0, 10),
      year: one('year').slice(0, 10),
      after: one('after').slice(0, 10),
      before: one('before').slice(0, 10),
      author: one('author').slice(0, 100),
      code: has === 'code' || has === 'on' || has === '1',
      sort,
      mode,
      page,
    },
    notes,
  };
}

export function hasFormFilters(s: SearchState): boolean {
  return s.cats.length > 0 || !!s.year || !!s.after || !!s.before || !!s.author || s.code;
}

function toFilters(s: SearchState): SearchFilters {
  return { category: s.cats, year: s.year || undefined, after: s.after || undefined, before: s.before || undefined, author: s.author || undefined, hasCode: s.code };
}

/** The URL of a state; defaults are left out so that links stay short and cache keys stable. */
export function searchHref(s: SearchState): string {
  const p = new URLSearchParams();
  if (s.q.trim()) p.set('q', s.q);
  for (const c of s.cats) p.append('cat', c);
  if (s.year) p.set('year', s.year);
  if (s.after) p.set('after', s.after);
  if (s.before) p.set('before', s.before);
  if (s.author) p.set('author', s.author);
  if (s.code) p.set('has', 'code');
  if (s.sort !== 'relevance') p.set('sort', s.sort);
  if (s.mode) p.set('mode', s.mode);
  if (s.page > 1) p.set('page', String(s.page));
  const qs = p.toString();
  return qs ? `/search?${qs}` : '/search';
}

const SINGLE = new Set(['year', 'after', 'before', 'has']);

/**
 * This search without filter `f`, wherever it was given: every typed token for it is removed from
 * the text (for year/after/before/has, any value: only the last one applied, and removing it must
 * not reveal an earlier one), and the matching form parameter is cleared.
 */
export function withoutFilter(s: SearchState, f: ActiveFilter): SearchState {
  const same = (g: ActiveFilter) => g.key === f.key && (SINGLE.has(f.key) || g.value.toLowerCase() === f.value.toLowerCase());
  let q = s.q;
  for (let i = 0; i < 20; i++) {
    const g = parseQuery(q).filters.find(same);
    if (!g) break;
    q = g.without;
  }
  const next: SearchState = { ...s, q, page: 1 };
  const v = f.value.toLowerCase();
  if (f.key === 'cat') next.cats = s.cats.filter((c) => c.toLowerCase() !== v);
  if (f.key === 'author' && s.author.trim().toLowerCase() === v) next.author = '';
  if (f.key === 'year') next.year = '';
  if (f.key === 'after') next.after = '';
  if (f.key === 'before') next.before = '';
  if (f.key === 'has') next.code = false;
  return next;
}

export function withoutAllFilters(s: SearchState, filters: ActiveFilter[]): SearchState {
  return filters.reduce(withoutFilter, s);
}

/**
 * When filters leave no results: for each filter, how many results its removal would bring back.
 * Only run on empty pages, with snippets and facets off (a count is all that is needed).
 */
async function relaxations(deps: AppDeps, s: SearchState, r: SearchResult): Promise<Relaxation[]> {
  const out: Relaxation[] = [];
  for (const f of r.parsed.filters.slice(0, 6)) {
    const next = withoutFilter(s, f);
    if (!next.q.trim() && !hasFormFilters(next)) continue; // nothing left to search for
    const alt = await searchPapers(deps.db, { q: next.q, filters: toFilters(next), mode: s.mode ?? undefined, limit: 1, facets: false, snippets: false });
    out.push({ filter: f, total: alt.total, href: searchHref(next) });
  }
  return out;
}

export async function renderSearch(c: Context, deps: AppDeps): Promise<Response> {
  const { s, notes } = readState(c);
  const ref = s.q.trim() ? parseArxivRef(s.q.trim()) : null;
  if (ref) return c.redirect(paperPath(ref.id), 302);
  c.header('cache-control', FEED_CACHE_CONTROL);
  if (!s.q.trim() && !hasFormFilters(s)) return c.html(<Landing config={deps.config} s={s} />);

  const r = await searchPapers(deps.db, { q: s.q, filters: toFilters(s), sort: s.sort, mode: s.mode ?? undefined, offset: (s.page - 1) * SEARCH_PAGE_SIZE, limit: SEARCH_PAGE_SIZE });
  const warnings = [...notes, ...r.parsed.warnings];
  if (s.mode && s.mode !== r.parsed.mode) warnings.push(`${s.mode === 'semantic' ? 'Semantic' : 'Hybrid'} search needs the vector index, which is not built yet: showing keyword results.`);
  if (s.q.trim() && isEmptyQuery(parseQuery(s.q))) warnings.push('Your search has no words to look for (only punctuation or symbols): showing all papers, newest first.');
  const ids = r.hits.map((h) => h.paperId);
  const [entries, ctx] = await Promise.all([entriesFor(deps.db, ids), cardContext(c, deps, ids)]);
  const relaxed = r.total === 0 && r.parsed.filters.length > 0 ? await relaxations(deps, s, r) : [];
  return c.html(<SearchPage config={deps.config} s={s} r={r} warnings={warnings} relaxed={relaxed} entries={entries} ctx={ctx} />);
}

/**
 * Facet links replace that kind of filter (typed or form) with the clicked value. Kinds already
 * filtered get no links (see Facets). `counted`: how many papers the counts cover (every paper
 * has one year), fewer than the total when the engine counted only its ranked candidates.
 */
function facetLinks(s: SearchState, r: SearchResult): { categories: FacetLink[]; years: FacetLink[]; counted: number } {
  const of = (key: string) => r.parsed.filters.filter((f) => f.key === key);
  const catBase = withoutAllFilters(s, of('cat'));
  const yearBase = withoutAllFilters(s, of('year'));
  return {
    categories: of('cat').length ? [] : r.facets.categories.map((f) => ({ ...f, href: searchHref({ ...catBase, cats: [f.value] }) })),
    years: of('year').length ? [] : r.facets.years.map((f) => ({ ...f, href: searchHref({ ...yearBase, year: f.value }) })),
    counted: r.facets.years.reduce((n, f) => n + f.count, 0),
  };
}

type PageProps = {
  config: Config;
  s: SearchState;
  r: SearchResult;
  warnings: string[];
  relaxed: Relaxation[];
  entries: Awaited<ReturnType<typeof entriesFor>>;
  ctx: Awaited<ReturnType<typeof cardContext>>;
};

function SearchPage({ config, s, r, warnings, relaxed, entries, ctx }: PageProps) {
  const pages = Math.max(1, Math.ceil(r.total / SEARCH_PAGE_SIZE));
  const what = s.q.trim() ? `“${s.q.trim()}”` : 'the filters';
  const count = r.total === 0 ? 'No results' : `${r.total.toLocaleString('en-US')} result${r.total === 1 ? '' : 's'}`;
  const chips = r.parsed.filters.map((f) => ({ filter: f, href: searchHref(withoutFilter(s, f)) }));
  return (
    <Layout config={config} query={s.q} meta={{ title: s.q.trim() ? `Search: ${s.q.trim()}` : 'Search', noindex: true, extraHead: SEARCH_CSS }}>
      <div class="page-head">
        <div>
          <h1>Search</h1>
          <p class="page-sub" role="status">
            {count} for {what}
            {pages > 1 ? ` · page ${s.page} of ${pages}` : ''}
            {` · ${r.parsed.mode} search`}
          </p>
        </div>
      </div>
      <SearchForm s={s} facets={r.facets} open={hasFormFilters(s) || s.mode !== null} />
      <SearchHelp />
      <FilterChips chips={chips} clearHref={chips.length > 1 ? searchHref(withoutAllFilters(s, r.parsed.filters)) : null} />
      {warnings.length ? (
        <ul class="search-warnings" aria-label="Notes about your search">
          {warnings.map((w) => (
            <li>{w}</li>
          ))}
        </ul>
      ) : null}
      <SortNav s={s} hrefFor={(sort) => searchHref({ ...s, sort, page: 1 })} />
      <div class="search-layout">
        <div class="search-results">
          {r.hits.length > 0 ? (
            <ResultList hits={r.hits} entries={entries} ctx={ctx} />
          ) : r.total > 0 ? (
            <Relaxations title={`No results on page ${s.page}`} items={[]} firstHref={searchHref({ ...s, page: 1 })} />
          ) : (
            <Relaxations title={`No results for ${what}`} items={relaxed} firstHref={null} />
          )}
          {pages > 1 ? <SearchPager page={s.page} pages={Math.min(pages, MAX_PAGE)} hrefFor={(page) => searchHref({ ...s, page })} /> : null}
        </div>
        {r.total > 0 ? <Facets {...facetLinks(s, r)} total={r.total} /> : null}
      </div>
      <UpvoteScript ctx={ctx} />
    </Layout>
  );
}
