/**
 * The pictures as page parts: their data loaders (one small query each) and the JSX that places
 * the SVG strings from charts.ts. The SVG is inserted raw because charts.ts escapes every string
 * it writes; nothing here adds unescaped text.
 */
import { raw } from 'hono/html';
import { sql } from 'kysely';
import type { Db } from '../../storage/db.ts';
import { addDays, formatDay, toDay } from '../../domain/dates.ts';
import { dayCounts } from '../../services/feed.ts';
import { cumulativeDays, fillDays, papersPerDaySvg, SCORE_TERMS, scoreBarSvg, sparklineSvg, type DayValue, type ScoreTerms } from './charts.ts';

/** The month page's window: 90 days, ending at the month's last day. */
export const CHART_DAYS = 90;
/** The paper page's upvote history: the last 30 days. */
export const SPARK_DAYS = 30;

export async function loadPapersPerDay(db: Db, end: string): Promise<DayValue[]> {
  const counts = await dayCounts(db, { start: addDays(end, -(CHART_DAYS - 1)), end });
  return fillDays(counts, end, CHART_DAYS);
}

/** Upvotes per UTC day for one paper, all time (the sparkline's starting level needs the older ones). */
export async function loadVoteHistory(db: Db, paperId: string, now: Date): Promise<DayValue[]> {
  const rows = await db.kysely
    .selectFrom('votes')
    .select([sql<string>`substr(created_at, 1, 10)`.as('day'), (eb) => eb.fn.countAll<number>().as('n')])
    .where('paper_id', '=', paperId)
    .groupBy(sql`substr(created_at, 1, 10)`)
    .execute();
  return cumulativeDays(rows.map((r) => ({ day: r.day, count: Number(r.n) })), toDay(now), SPARK_DAYS);
}

/** The bars stretch to the page's width; the dates and the scale are HTML, readable at any width. */
export function PapersPerDayFigure({ series }: { series: DayValue[] }) {
  if (series.length === 0) return null;
  const first = series[0].day;
  const end = series[series.length - 1].day;
  const max = Math.max(...series.map((d) => d.value));
  return (
    <figure class="chart-figure">
      {raw(papersPerDaySvg(series, { id: 'papers-per-day' }))}
      {/* Hidden from screen readers: the picture's title already says all this. */}
      <div class="chart-dates" aria-hidden="true">
        <span>{formatDay(first)}</span>
        <span>{formatDay(end)}</span>
      </div>
      <figcaption>
        Papers per day, the {series.length} days to {formatDay(end)}
        {max > 0 ? `; the dashed line is the busiest day, ${max.toLocaleString('en-US')} papers` : ': none'}
      </figcaption>
    </figure>
  );
}

export function VoteSparkline({ series }: { series: DayValue[] }) {
  if (series.length === 0) return null;
  return <span class="spark">{raw(sparklineSvg(series, { id: 'upvote-history' }))}</span>;
}

/** The bar and a legend whose swatches match its colours (the table below has the numbers). */
export function ScoreBar({ terms }: { terms: ScoreTerms }) {
  return (
    <div class="score-bar">
      {raw(scoreBarSvg(terms, { id: 'score-terms' }))}
      <ul class="score-legend" aria-hidden="true">
        {SCORE_TERMS.map((s) => (
          <li>
            <span class={`swatch ${s.cls}`} />
            {s.name}
          </li>
        ))}
      </ul>
    </div>
  );
}
