/** The feed: one day, ISO week or month of featured papers, paginated, with period navigation. */
import type { Context } from 'hono';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../../services/errors.ts';
import { dayCounts, defaultPeriod, loadFeed, type FeedView, type Period } from '../../services/feed.ts';
import { formatDay, isoWeekOf, monthOf } from '../../domain/dates.ts';
import type { Config } from '../../config.ts';
import { Layout, Notice } from './layout.tsx';
import { PaperCard } from './paper-card.tsx';
import { cardContext, UpvoteScript, type CardContext } from './upvote-button.tsx';
import { dayPath, periodLabel, periodPath, periodSubLabel } from './urls.ts';
import { loadPapersPerDay, PapersPerDayFigure } from './chart-views.tsx';
import type { DayValue } from './charts.ts';

export const PAGE_SIZE = 50;
export const FEED_CACHE_CONTROL = 'public, max-age=60';

type DayCount = { day: string; count: number };

/** `p` is a 0-based page number; anything else is the client's mistake. */
export function parsePage(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 0;
  if (!/^\d{1,6}$/.test(raw)) throw AppError.badRequest(`Invalid page "${raw}": expected a page number (0, 1, 2 ...)`, 'p');
  return Number(raw);
}

/**
 * Renders a period's feed; `period` null means the latest day with papers (the home page).
 * Days list editor order, then upvotes; weeks and months list their top papers by upvotes.
 */
export async function renderFeed(c: Context, deps: AppDeps, period: Period | null): Promise<Response> {
  const page = parsePage(c.req.query('p'));
  const isHome = period === null;
  const resolved = period ?? (await defaultPeriod(deps.db));
  if (!resolved) {
    c.header('cache-control', FEED_CACHE_CONTROL);
    return c.html(<EmptyInstance config={deps.config} />);
  }
  const view = await loadFeed(deps.db, resolved, { page, pageSize: PAGE_SIZE, sort: resolved.kind === 'day' ? 'default' : 'upvotes' });
  if (page > 0 && view.items.length === 0) {
    throw AppError.notFound(`There is no page ${page + 1} for ${periodLabel(resolved)}: it has ${view.total} paper${view.total === 1 ? '' : 's'}.`);
  }
  const days = resolved.kind === 'day' ? null : await dayCounts(deps.db, view.range);
  // A month page shows the 90 days up to its end as a picture (see charts.ts).
  const chart = resolved.kind === 'month' ? await loadPapersPerDay(deps.db, view.range.end) : null;
  // The viewer's votes (pressed buttons) in one query; editors may reorder a day.
  const ctx = await cardContext(c, deps, view.items.map((i) => i.paper.id), { reorder: resolved.kind === 'day' });
  c.header('cache-control', FEED_CACHE_CONTROL);
  return c.html(<FeedPage config={deps.config} view={view} days={days} chart={chart} isHome={isHome} ctx={ctx} />);
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

/** The day a week or month view switches to: its latest day with papers, else its first day. */
function anchorDay(view: FeedView, days: DayCount[] | null): string {
  if (view.period.kind === 'day') return view.period.day;
  return days && days.length > 0 ? days[days.length - 1].day : view.range.start;
}

function FeedPage({ config, view, days, chart, isHome, ctx }: { config: Config; view: FeedView; days: DayCount[] | null; chart: DayValue[] | null; isHome: boolean; ctx: CardContext }) {
  const label = periodLabel(view.period);
  const sub = periodSubLabel(view.period);
  const pages = Math.max(1, Math.ceil(view.total / view.pageSize));
  const countText = view.total > 0 ? plural(view.total, 'paper') : 'No papers';
  const where = view.period.kind === 'day' ? `on ${label}` : `in ${label}`;
  return (
    <Layout
      config={config}
      meta={{
        title: isHome ? undefined : `Papers ${where}${view.page > 0 ? ` (page ${view.page + 1})` : ''}`,
        description: `${countText} featured ${where} on ${config.siteName}, curated by ${config.editorName} and the research community.`,
        canonicalPath: isHome ? '/' : periodPath(view.period, view.page),
        ogType: 'website',
      }}
    >
      <div class="page-head">
        <div>
          <h1>{label}</h1>
          <p class="page-sub">
            {sub ? `${sub} · ` : ''}
            {countText}
            {pages > 1 ? ` · page ${view.page + 1} of ${pages}` : ''}
          </p>
        </div>
      </div>
      <div class="toolbar">
        <ViewSwitch view={view} anchor={anchorDay(view, days)} />
        <PeriodNav view={view} />
      </div>
      {chart ? <PapersPerDayFigure series={chart} /> : null}
      {days ? <DayList period={view.period} days={days} /> : null}
      {view.items.length > 0 ? (
        <ol class="cards" aria-label={`Papers ${where}`}>
          {view.items.map((item) => (
            <PaperCard item={item} showDay={view.period.kind !== 'day'} ctx={ctx} />
          ))}
        </ol>
      ) : (
        <Notice title={`No papers ${where}`}>
          <p>Nothing was featured {where}. Use the links above to go to the nearest {view.period.kind} with papers.</p>
        </Notice>
      )}
      {pages > 1 ? <Pager view={view} pages={pages} /> : null}
      <UpvoteScript ctx={ctx} />
    </Layout>
  );
}

function ViewSwitch({ view, anchor }: { view: FeedView; anchor: string }) {
  const targets: { kind: Period['kind']; text: string; period: Period }[] = [
    { kind: 'day', text: 'Day', period: view.period.kind === 'day' ? view.period : { kind: 'day', day: anchor } },
    { kind: 'week', text: 'Week', period: view.period.kind === 'week' ? view.period : { kind: 'week', week: isoWeekOf(anchor) } },
    { kind: 'month', text: 'Month', period: view.period.kind === 'month' ? view.period : { kind: 'month', month: monthOf(anchor) } },
  ];
  return (
    <nav class="segmented" aria-label="Feed period">
      {targets.map((t) => (
        <a
          href={periodPath(t.period)}
          aria-current={t.kind === view.period.kind ? 'page' : undefined}
          aria-label={`${t.text} view: ${periodLabel(t.period)}`}
        >
          {t.text}
        </a>
      ))}
    </nav>
  );
}

function PeriodNav({ view }: { view: FeedView }) {
  const noun = view.period.kind;
  return (
    <nav class="period-nav" aria-label={`Previous and next ${noun}`}>
      {view.prev ? (
        <a href={periodPath(view.prev)} rel="prev" aria-label={`Previous ${noun}: ${periodLabel(view.prev)}`}>
          ← {shortLabel(view.prev)}
        </a>
      ) : (
        <span aria-hidden="true">← Previous</span>
      )}
      {view.next ? (
        <a href={periodPath(view.next)} rel="next" aria-label={`Next ${noun}: ${periodLabel(view.next)}`}>
          {shortLabel(view.next)} →
        </a>
      ) : (
        <span aria-hidden="true">Next →</span>
      )}
    </nav>
  );
}

/**
 * "Mar 11" for days (compact); weeks and months show their full label. The visible text must be
 * part of the link's accessible name ("Previous month: February 2025", WCAG 2.5.3), and an
 * abbreviation such as "Feb 2025" or "W10" is not.
 */
function shortLabel(p: Period): string {
  if (p.kind === 'day') return formatDay(p.day, false);
  return periodLabel(p);
}

function DayList({ period, days }: { period: Period; days: DayCount[] }) {
  if (days.length === 0) return null;
  return (
    <nav aria-label={`Days in ${periodLabel(period)}`}>
      <ul class="days">
        {days.map((d) => (
          <li>
            {/* Hidden words rather than an aria-label, so the name contains the visible text (WCAG 2.5.3). */}
            <a href={dayPath(d.day)}>
              {formatDay(d.day, false)}
              <span class="visually-hidden">, {d.day.slice(0, 4)}:</span>
              <span class="n">{d.count}</span>
              <span class="visually-hidden"> {d.count === 1 ? 'paper' : 'papers'}</span>
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Pager({ view, pages }: { view: FeedView; pages: number }) {
  const prev = view.page > 0 ? view.page - 1 : null;
  const next = view.page + 1 < pages ? view.page + 1 : null;
  return (
    <nav class="pager" aria-label="Pages">
      {prev !== null ? (
        <a href={periodPath(view.period, prev)} rel="prev" aria-label={`Previous page (page ${prev + 1} of ${pages})`}>
          ← Previous page
        </a>
      ) : (
        <span class="disabled" aria-hidden="true">← Previous page</span>
      )}
      <span class="where">
        Page {view.page + 1} of {pages}
      </span>
      {next !== null ? (
        <a href={periodPath(view.period, next)} rel="next" aria-label={`Next page (page ${next + 1} of ${pages})`}>
          Next page →
        </a>
      ) : (
        <span class="disabled" aria-hidden="true">Next page →</span>
      )}
    </nav>
  );
}

function EmptyInstance({ config }: { config: Config }) {
  return (
    <Layout config={config} meta={{ description: `${config.siteName}: a self-hosted daily papers hub.`, canonicalPath: '/' }}>
      <div class="page-head">
        <h1>Welcome to {config.siteName}</h1>
      </div>
      <Notice title="No papers yet">
        <p>This instance has no featured papers. An administrator can add some from the command line:</p>
        <pre>
          <code>
            {'# import papers from files (JSONL, JSON or arXiv XML; plain or .gz)\n'}
            {'dailypapers import path/to/papers.jsonl\n\n'}
            {'# or harvest recent papers straight from arXiv and feature them\n'}
            {'dailypapers fetch arxiv --category cs.LG --feature'}
          </code>
        </pre>
        <p>
          Imported papers that carry a listing day are featured on that day and show up here. Run <code>dailypapers import --help</code> or{' '}
          <code>dailypapers fetch --help</code> for all options.
        </p>
      </Notice>
    </Layout>
  );
}
