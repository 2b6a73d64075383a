/** `/papers/trending`: papers featured in the trending window, by trending score, then upvotes. */
import type { Context } from 'hono';
import type { AppDeps } from '../deps.ts';
import type { Config } from '../../config.ts';
import { AppError } from '../../services/errors.ts';
import { trendingPage, TRENDING_WINDOW_DAYS, type TrendingItem } from '../../services/trending.ts';
import { formatDay, type DayRange } from '../../domain/dates.ts';
import { HALF_LIFE_HOURS } from '../../domain/trending.ts';
import { latestDay } from '../../storage/feed-repo.ts';
import { Layout, Notice } from './layout.tsx';
import { PaperCard } from './paper-card.tsx';
import { FEED_CACHE_CONTROL, PAGE_SIZE, parsePage } from './feed-page.tsx';
import { cardContext, UpvoteScript, type CardContext } from './upvote-button.tsx';
import { FormulaInWords, fmtScore } from './why-trending.tsx';
import { dayPath } from './urls.ts';

export async function renderTrending(c: Context, deps: AppDeps): Promise<Response> {
  const page = parsePage(c.req.query('p'));
  const now = deps.now();
  const { items, total, range } = await trendingPage(deps.db, now, page, PAGE_SIZE);
  if (page > 0 && items.length === 0) throw AppError.notFound(`There is no page ${page + 1} of trending papers: there are ${total}.`);
  // An instance fed only by old imports has nothing in the window: point at its latest day.
  const latest = total === 0 ? await latestDay(deps.db) : null;
  const ctx = await cardContext(c, deps, items.map((i) => i.paper.id));
  c.header('cache-control', FEED_CACHE_CONTROL);
  return c.html(<TrendingPage config={deps.config} items={items} total={total} page={page} range={range} latest={latest} ctx={ctx} />);
}

interface Props {
  config: Config;
  items: TrendingItem[];
  total: number;
  page: number;
  range: DayRange;
  latest: string | null;
  ctx: CardContext;
}

function pagePath(p: number): string {
  return p > 0 ? `/papers/trending?p=${p}` : '/papers/trending';
}

function TrendingPage({ config, items, total, page, range, latest, ctx }: Props) {
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  return (
    <Layout
      config={config}
      meta={{
        title: `Trending papers${page > 0 ? ` (page ${page + 1})` : ''}`,
        description: `The papers the community is upvoting and discussing right now on ${config.siteName}.`,
        canonicalPath: pagePath(page),
      }}
    >
      <div class="page-head">
        <div>
          <h1>Trending papers</h1>
          <p class="page-sub">
            Featured {formatDay(range.start)} – {formatDay(range.end)}, ranked by recent upvotes and comments · <a href="#how">how it works</a>
          </p>
        </div>
      </div>
      {items.length > 0 ? (
        <ol class="cards trending" aria-label="Trending papers">
          {items.map((item, i) => (
            <PaperCard
              item={item}
              showDay
              ctx={ctx}
              badge={
                <p class="trend-badge">
                  <span class="rank">#{page * PAGE_SIZE + i + 1}</span> · score <span class="score">{fmtScore(item.score)}</span>
                </p>
              }
            />
          ))}
        </ol>
      ) : (
        <Notice title={`Nothing featured in the last ${TRENDING_WINDOW_DAYS} days`}>
          <p>Trending covers papers featured in the last {TRENDING_WINDOW_DAYS} days, and none were.</p>
          {latest ? (
            <p>
              The latest papers here are from <a href={dayPath(latest)}>{formatDay(latest)}</a>.
            </p>
          ) : null}
        </Notice>
      )}
      {pages > 1 ? (
        <nav class="pager" aria-label="Pages">
          {page > 0 ? <a href={pagePath(page - 1)} rel="prev">← Previous page</a> : <span class="disabled" aria-hidden="true">← Previous page</span>}
          <span class="where">
            Page {page + 1} of {pages}
          </span>
          {page + 1 < pages ? <a href={pagePath(page + 1)} rel="next">Next page →</a> : <span class="disabled" aria-hidden="true">Next page →</span>}
        </nav>
      ) : null}
      <HowItWorks />
      <UpvoteScript ctx={ctx} />
    </Layout>
  );
}

/** The formula, its constants and why: the same words as docs/TRENDING.md, for readers of the site. */
function HowItWorks() {
  return (
    <section id="how" class="notice how-trending" aria-labelledby="how-title">
      <h2 id="how-title">How trending works</h2>
      <p>Every upvote and every commenter is an event whose weight halves every {HALF_LIFE_HOURS} hours:</p>
      <FormulaInWords />
      <p>
        A paper's score is the sum: <code>score = Σ votes 2^(−age/24 h) + ½ · Σ commenters 2^(−age/24 h) + 2^(−time since featured/24 h)</code>.
      </p>
      <p>
        Why not Hacker News' <code>votes / (age + 2)^1.8</code>? It decays by the paper's age, so a paper discovered on its third day can never climb back.
        Decaying each event by its own age measures what people are reading now. A comment counts half a vote, and each person counts once, so that a long
        argument between two people does not outrank a paper many people found worth an upvote. The freshness bonus lets today's papers start above last
        week's silent ones.
      </p>
      <p>
        The score is recomputed on every vote and comment, and every stored score is aged every 15 minutes. Every paper page has a "Why it's trending" box
        with its own numbers. The API serves this order with <a href="/api/daily_papers?sort=trending">/api/daily_papers?sort=trending</a>.
      </p>
    </section>
  );
}
