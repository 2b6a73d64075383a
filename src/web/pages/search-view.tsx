/**
 * The pieces of the search page (search-page.tsx owns the state and the links). Only two strings
 * are rendered with `raw()`: the engine's `titleHtml` and `snippet`, which it builds by escaping
 * every piece of text and adding nothing but `<mark>`. Everything else goes through JSX escaping.
 */
import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import type { Config } from '../../config.ts';
import type { DailyEntry } from '../../domain/paper.ts';
import { formatDay, isValidDay } from '../../domain/dates.ts';
import type { ActiveFilter, SearchHit, SearchSort } from '../../search/index.ts';
import type { Facets as FacetData } from '../../search/results.ts';
import { Layout, Notice } from './layout.tsx';
import { AUTHORS_SHOWN, AuthorList, CategoryChips, PaperLinks } from './paper-card.tsx';
import { cardAnchor, UpvoteButton, type CardContext } from './upvote-button.tsx';
import { dayPath, paperPath } from './urls.ts';
import type { SearchState } from './search-page.tsx';

/** Search-only styles, in the page head (the shared stylesheet stays as it is). A constant, never data. */
export const SEARCH_CSS = (
  <style>
    {raw(`
.search-form { margin: 0 0 1rem; }
.search-row { display: flex; gap: 0.5rem; }
.search-row input { flex: 1; min-width: 0; font: inherit; padding: 0.5rem 0.75rem; border: 1px solid var(--border-strong); border-radius: 8px; background: var(--card); color: var(--text); }
.search-form button { font: inherit; padding: 0.45rem 1rem; border-radius: 8px; border: 1px solid var(--border-strong); background: var(--accent-soft); color: var(--accent-text); font-weight: 600; cursor: pointer; }
.search-options, .search-help { margin: 0.75rem 0; }
.search-options > summary, .search-help > summary { cursor: pointer; color: var(--accent-text); font-size: 0.92rem; }
.search-fields { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: 0.6rem 1rem; margin: 0.75rem 0; }
.search-fields label { display: flex; flex-direction: column; gap: 0.2rem; font-size: 0.85rem; color: var(--muted); }
.search-fields label.check { flex-direction: row; align-items: center; gap: 0.4rem; align-self: end; }
.search-fields input, .search-fields select { font: inherit; padding: 0.3rem 0.5rem; border: 1px solid var(--border-strong); border-radius: 6px; background: var(--card); color: var(--text); }
.search-help dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.35rem 1rem; margin: 0.75rem 0; font-size: 0.9rem; }
.search-help dt { margin: 0; } .search-help dd { margin: 0; color: var(--muted); }
.filter-chips { display: flex; flex-wrap: wrap; gap: 0.4rem; margin: 0 0 1rem; padding: 0; list-style: none; align-items: center; }
.filter-chips a { display: inline-block; padding: 0.2rem 0.65rem; border-radius: 999px; border: 1px solid var(--border-strong); background: var(--accent-soft); font-size: 0.85rem; }
.search-warnings { margin: 0 0 1rem; padding: 0.5rem 0.75rem 0.5rem 1.75rem; border-left: 3px solid var(--focus); background: var(--card); font-size: 0.9rem; color: var(--muted); }
.search-layout { display: grid; grid-template-columns: minmax(0, 1fr) 14rem; gap: 1.5rem; align-items: start; }
.facets { font-size: 0.88rem; } .facets h2 { font-size: 0.95rem; margin: 0 0 0.4rem; } .facets ul { list-style: none; margin: 0 0 1rem; padding: 0; }
.facets li { display: flex; justify-content: space-between; gap: 0.5rem; padding: 0.1rem 0; } .facets .n { color: var(--faint); }
.facets p { color: var(--faint); font-size: 0.8rem; }
/* Ranked results read top to bottom: one column, not the feed's two. */
.search-results .cards { grid-template-columns: minmax(0, 1fr); }
.snippet { margin: 0.35rem 0; color: var(--muted); font-size: 0.93rem; }
mark { background: var(--chip-primary); color: inherit; padding: 0 0.1em; border-radius: 2px; }
.featured-badge { display: inline-block; margin: 0 0 0.25rem; padding: 0.05rem 0.5rem; border-radius: 999px; background: var(--chip-primary); color: var(--chip-primary-text); font-size: 0.78rem; font-weight: 600; }
.search-examples li { margin: 0.25rem 0; }
@media (max-width: 48rem) { .search-layout { grid-template-columns: 1fr; } }
`)}
  </style>
);

const SORT_LABELS: Record<SearchSort, string> = { relevance: 'Relevance', newest: 'Newest', upvotes: 'Most upvoted' };

export function SearchForm({ s, facets, open }: { s: SearchState; facets: FacetData; open: boolean }) {
  // The select lists what this result set has, plus whatever is selected (it may have no hits).
  const counts = new Map(facets.categories.map((f) => [f.value, f.count]));
  const options = [...new Set([...s.cats, ...facets.categories.map((f) => f.value)])];
  return (
    <form class="search-form" method="get" action="/search" role="search" aria-label="Search papers">
      <div class="search-row">
        <label class="visually-hidden" for="search-q">
          Search papers
        </label>
        <input id="search-q" type="search" name="q" value={s.q} maxlength={250} placeholder='e.g. "kv cache" compression -survey cat:cs.CL' />
        <button type="submit">Search</button>
      </div>
      <details class="search-options" open={open}>
        <summary>Filters, sort and mode</summary>
        <div class="search-fields">
          <label>
            Category
            <select name="cat">
              <option value="">Any category</option>
              {options.map((v, i) => (
                <option value={v} selected={i === 0 && s.cats.length > 0}>
                  {v}
                  {counts.has(v) ? ` (${counts.get(v)})` : ''}
                </option>
              ))}
            </select>
          </label>
          {/* Further form categories survive a resubmit of the form. */}
          {s.cats.slice(1).map((v) => (
            <input type="hidden" name="cat" value={v} />
          ))}
          <label>
            Year
            <input type="number" name="year" min={1991} max={2100} inputmode="numeric" value={s.year} />
          </label>
          <label>
            Submitted after
            <input type="date" name="after" value={s.after} />
          </label>
          <label>
            Submitted before
            <input type="date" name="before" value={s.before} />
          </label>
          <label>
            Author
            <input type="text" name="author" value={s.author} maxlength={100} autocomplete="off" />
          </label>
          <label class="check">
            <input type="checkbox" name="has" value="code" checked={s.code} /> Has code
          </label>
          <label>
            Sort
            <select name="sort">
              {(Object.keys(SORT_LABELS) as SearchSort[]).map((k) => (
                <option value={k} selected={s.sort === k}>
                  {SORT_LABELS[k]}
                </option>
              ))}
            </select>
          </label>
          <label>
            Mode (advanced)
            <select name="mode">
              <option value="">Default (hybrid)</option>
              <option value="hybrid" selected={s.mode === 'hybrid'}>
                Hybrid: words and meaning
              </option>
              <option value="keyword" selected={s.mode === 'keyword'}>
                Keyword: exact words only
              </option>
              <option value="semantic" selected={s.mode === 'semantic'}>
                Semantic: meaning only
              </option>
            </select>
          </label>
        </div>
        <button type="submit">Apply</button>
      </details>
    </form>
  );
}

export function SearchHelp({ open = false }: { open?: boolean }) {
  const rows: [Child, string][] = [
    [<code>"exact phrase"</code>, 'Only papers containing these words side by side.'],
    [<><code>-word</code>, <code>-"a phrase"</code></>, 'Leave out papers that contain it.'],
    [<><code>author:hinton</code>, <code>author:"geoffrey hinton"</code></>, 'Papers by an author whose name contains these words.'],
    [<><code>cat:cs.CL</code>, <code>cat:cs</code></>, 'A category, or a whole archive. Several cat: filters match any of them.'],
    [<code>year:2024</code>, 'Submitted to arXiv in that year.'],
    [<code>after:2025-01-01 before:2025-06-30</code>, 'Submitted in that range, both days included (YYYY-MM and YYYY work too).'],
    [<code>has:code</code>, 'Only papers that link a code repository.'],
  ];
  return (
    <details class="search-help" open={open}>
      <summary>Search syntax</summary>
      <dl>
        {rows.map(([k, v]) => (
          <>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </>
        ))}
      </dl>
      <p class="page-sub">
        Other words are looked up in titles, authors and abstracts, and by meaning: a description of what you are after finds papers that use other words
        for it. Combine freely: <code>"gaussian splatting" cat:cs.CV year:2025 -survey</code>. Paste an arXiv id or link to open that paper.
      </p>
    </details>
  );
}

export interface Chip {
  filter: ActiveFilter;
  href: string;
}

export function FilterChips({ chips, clearHref }: { chips: Chip[]; clearHref: string | null }) {
  if (!chips.length) return null;
  return (
    <ul class="filter-chips" aria-label="Active filters">
      {chips.map((c) => (
        <li>
          <a href={c.href} class="filter-chip" title="Remove this filter" aria-label={`Remove filter: ${c.filter.label}`}>
            {c.filter.label} <span aria-hidden="true">×</span>
          </a>
        </li>
      ))}
      {clearHref ? (
        <li>
          <a href={clearHref}>Clear all filters</a>
        </li>
      ) : null}
    </ul>
  );
}

export function SortNav({ s, hrefFor }: { s: SearchState; hrefFor: (sort: SearchSort) => string }) {
  return (
    <nav class="segmented" aria-label="Sort results">
      {(Object.keys(SORT_LABELS) as SearchSort[]).map((k) => (
        <a href={hrefFor(k)} aria-current={s.sort === k ? 'page' : undefined}>
          {SORT_LABELS[k]}
        </a>
      ))}
    </nav>
  );
}

function ResultCard({ hit, entry, ctx }: { hit: SearchHit; entry: DailyEntry | null; ctx: CardContext }) {
  const p = hit.paper;
  const day = p.publishedAt?.slice(0, 10) ?? '';
  return (
    <li id={cardAnchor(p.id)}>
      <article class="card">
        <UpvoteButton paper={p} ctx={ctx} />
        <div class="card-body">
          {entry ? (
            <a class="featured-badge" href={dayPath(entry.day)}>
              Featured on {formatDay(entry.day)}
            </a>
          ) : null}
          <h2 class="card-title">
            <a href={paperPath(p.id)}>{hit.titleHtml ? raw(hit.titleHtml) : p.title}</a>
          </h2>
          <p class="meta">
            arXiv:{p.id}
            {isValidDay(day) ? (
              <>
                {' · '}
                <time datetime={day}>{formatDay(day)}</time>
              </>
            ) : null}
          </p>
          <AuthorList authors={p.authors} limit={AUTHORS_SHOWN} />
          {hit.snippet ? <p class="snippet">{raw(hit.snippet)}</p> : null}
          <CategoryChips categories={p.categories} />
          <PaperLinks paper={p} />
        </div>
      </article>
    </li>
  );
}

export function ResultList({ hits, entries, ctx }: { hits: SearchHit[]; entries: Map<string, DailyEntry>; ctx: CardContext }) {
  return (
    <ol class="cards" aria-label="Search results">
      {hits.map((h) => (
        <ResultCard hit={h} entry={entries.get(h.paperId) ?? null} ctx={ctx} />
      ))}
    </ol>
  );
}

export interface Relaxation {
  filter: ActiveFilter;
  total: number;
  href: string;
}

/** An empty result: which filter to drop (and what that brings back), or a way back to page 1. */
export function Relaxations({ title, items, firstHref }: { title: string; items: Relaxation[]; firstHref: string | null }) {
  const useful = items.filter((i) => i.total > 0);
  return (
    <Notice title={title}>
      {firstHref ? (
        <p>
          This search has fewer pages. <a href={firstHref}>Go to the first page</a>.
        </p>
      ) : useful.length ? (
        <>
          <p>Your filters leave no papers. Without one of them there would be:</p>
          <ul>
            {useful.map((i) => (
              <li>
                <a href={i.href}>
                  Remove “{i.filter.label}”: {i.total.toLocaleString('en-US')} result{i.total === 1 ? '' : 's'}
                </a>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p>Try fewer or different words, check the spelling, or remove filters. Words are matched in titles, authors and abstracts.</p>
      )}
    </Notice>
  );
}

export function SearchPager({ page, pages, hrefFor }: { page: number; pages: number; hrefFor: (page: number) => string }) {
  return (
    <nav class="pager" aria-label="Result pages">
      {page > 1 ? (
        <a href={hrefFor(page - 1)} rel="prev" aria-label={`Previous page (page ${page - 1} of ${pages})`}>
          ← Previous page
        </a>
      ) : (
        <span class="disabled" aria-hidden="true">← Previous page</span>
      )}
      <span class="where">
        Page {page} of {pages}
      </span>
      {page < pages ? (
        <a href={hrefFor(page + 1)} rel="next" aria-label={`Next page (page ${page + 1} of ${pages})`}>
          Next page →
        </a>
      ) : (
        <span class="disabled" aria-hidden="true">Next page →</span>
      )}
    </nav>
  );
}

export interface FacetLink {
  value: string;
  count: number;
  href: string;
}

/**
 * Category and year counts as links that narrow the search. A kind already filtered is not
 * offered (its chip removes it): categories are OR-ed by the engine, so a second one would widen
 * the results rather than narrow them, and its count would not be what a click gives.
 */
export function Facets({ categories, years, counted, total }: { categories: FacetLink[]; years: FacetLink[]; counted: number; total: number }) {
  if (!categories.length && !years.length) return null;
  const list = (title: string, items: FacetLink[]) =>
    items.length ? (
      <>
        <h2>{title}</h2>
        <ul>
          {items.map((f) => (
            <li>
              <a href={f.href}>{f.value}</a>
              <span class="n">{f.count.toLocaleString('en-US')}</span>
            </li>
          ))}
        </ul>
      </>
    ) : null;
  return (
    <aside class="facets" aria-label="Narrow the results">
      {list('Categories', categories)}
      {list('Years', years)}
      {counted < total ? <p>Counts are over the best {counted.toLocaleString('en-US')} matches.</p> : null}
    </aside>
  );
}

/** `/search` with nothing asked yet: the form, the syntax, and examples to click. */
export function Landing({ config, s }: { config: Config; s: SearchState }) {
  const examples = ['"gaussian splatting" cat:cs.CV', 'making LLM inference cheaper with smaller KV caches', 'retrieval augmented generation has:code', 'diffusion -video year:2025'];
  return (
    <Layout config={config} meta={{ title: 'Search', description: `Search every paper on ${config.siteName} by words, meaning, author, category and date.`, extraHead: SEARCH_CSS }}>
      <div class="page-head">
        <div>
          <h1>Search</h1>
          <p class="page-sub">Every paper on this hub, by title, abstract, author or meaning.</p>
        </div>
      </div>
      <SearchForm s={s} facets={{ categories: [], years: [] }} open={false} />
      <SearchHelp open />
      <h2>Try</h2>
      <ul class="search-examples">
        {examples.map((q) => (
          <li>
            <a href={`/search?q=${encodeURIComponent(q)}`}>
              <code>{q}</code>
            </a>
          </li>
        ))}
      </ul>
    </Layout>
  );
}
