/**
 * Server-rendered SVG pictures: papers per day (month page), a paper's upvote history (paper
 * page) and the trending score's terms (the "Why it's trending" box). Pure functions from data to
 * an SVG string, so they are unit-tested without a browser and need no script or chart library.
 *
 * Every picture is `role="img"` with a `<title>` (and `aria-labelledby` pointing at it) that says
 * in words what the picture shows, so a screen reader gets the same facts; width, height and
 * viewBox are explicit so the page does not reflow while loading and CSS may scale it down.
 * Colours come from CSS classes (styles.ts), so dark mode applies to the pictures too.
 */
import { addDays, formatDay } from '../../domain/dates.ts';

/** Escapes text and attribute values: every string that reaches the SVG goes through here. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Coordinates to two decimals: enough for a screen, and keeps the markup short. */
function n(x: number): string {
  return String(Math.round(x * 100) / 100);
}

function fmtInt(x: number): string {
  return x.toLocaleString('en-US');
}

function plural(x: number, word: string): string {
  return `${fmtInt(x)} ${word}${x === 1 ? '' : 's'}`;
}

export interface DayValue {
  day: string;
  value: number;
}

/**
 * The `days` days ending at `end` (inclusive), each with its count from `counts` (0 where absent).
 * Counts outside the window are ignored.
 */
export function fillDays(counts: readonly { day: string; count: number }[], end: string, days: number): DayValue[] {
  const byDay = new Map(counts.map((c) => [c.day, c.count]));
  const out: DayValue[] = [];
  for (let i = days - 1; i >= 0; i--) {
    const day = addDays(end, -i);
    out.push({ day, value: byDay.get(day) ?? 0 });
  }
  return out;
}

/**
 * Running totals over the `days` days ending at `end`: each day's value is the number of votes
 * cast up to the end of that day. `before` counts the votes cast before the window, so the line
 * starts where the paper stood, not at zero.
 */
export function cumulativeDays(perDay: readonly { day: string; count: number }[], end: string, days: number): DayValue[] {
  const start = addDays(end, -(days - 1));
  let total = perDay.filter((d) => d.day < start).reduce((s, d) => s + d.count, 0);
  return fillDays(perDay, end, days).map((d) => {
    total += d.value;
    return { day: d.day, value: total };
  });
}

/**
 * Opening tag shared by every picture: role, label, explicit size. `cls` styles it; `aspect`
 * "none" lets a picture without text stretch to the width it is given.
 */
function svgOpen(id: string, cls: string, width: number, height: number, aspect?: 'none'): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart ${esc(cls)}" role="img" aria-labelledby="${esc(id)}-title" ` +
    `width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"${aspect ? ` preserveAspectRatio="${aspect}"` : ''}>`
  );
}

function titleEl(id: string, text: string): string {
  return `<title id="${esc(id)}-title">${esc(text)}</title>`;
}

export interface BarChartOptions {
  /** Unique on the page: the `<title>` id is derived from it. */
  id: string;
  width?: number;
  height?: number;
}

/** What the papers-per-day picture says in words: the window, the total, the busiest day. */
export function papersPerDayLabel(series: readonly DayValue[]): string {
  if (series.length === 0) return 'Papers per day: no days';
  const first = series[0].day;
  const last = series[series.length - 1].day;
  const total = series.reduce((s, d) => s + d.value, 0);
  const withPapers = series.filter((d) => d.value > 0).length;
  const span = `Papers per day, ${formatDay(first)} to ${formatDay(last)}`;
  if (total === 0) return `${span}: no papers`;
  const top = series.reduce((a, b) => (b.value > a.value ? b : a));
  return `${span}: ${plural(total, 'paper')} on ${plural(withPapers, 'day')}; the most on ${formatDay(top.day)} (${fmtInt(top.value)})`;
}

/**
 * A bar per day (only days with papers get a rect), a baseline and a dashed line at the maximum.
 * No text inside: the picture stretches to its box (preserveAspectRatio none, strokes that do not
 * scale) and the page puts the scale and dates beside it as HTML, which stays readable at any
 * width where SVG text would shrink with the picture. Each bar has its own `<title>` tooltip.
 */
export function papersPerDaySvg(series: readonly DayValue[], opts: BarChartOptions): string {
  const width = opts.width ?? 720;
  const height = opts.height ?? 120;
  const top = 2;
  const plotH = height - top - 1;
  const max = Math.max(1, ...series.map((d) => d.value));
  const step = series.length > 0 ? width / series.length : width;
  const barW = Math.max(1, step * 0.75);
  const parts: string[] = [svgOpen(opts.id, 'chart-days', width, height, 'none'), titleEl(opts.id, papersPerDayLabel(series))];
  parts.push(`<line class="chart-grid" x1="0" y1="${top}" x2="${width}" y2="${top}"/>`);
  series.forEach((d, i) => {
    if (d.value <= 0) return;
    const h = Math.max(1, (d.value / max) * plotH);
    const x = i * step + (step - barW) / 2;
    parts.push(
      `<rect class="chart-bar" x="${n(x)}" y="${n(top + plotH - h)}" width="${n(barW)}" height="${n(h)}">` +
        `<title>${esc(`${formatDay(d.day)}: ${plural(d.value, 'paper')}`)}</title></rect>`,
    );
  });
  parts.push(`<line class="chart-axis" x1="0" y1="${height - 0.5}" x2="${width}" y2="${height - 0.5}"/>`);
  parts.push('</svg>');
  return parts.join('');
}

/** What the sparkline says: the window and where the count went. */
export function sparklineLabel(series: readonly DayValue[]): string {
  if (series.length === 0) return 'Upvote history: no data';
  const first = series[0];
  const last = series[series.length - 1];
  const span = `Upvotes over the ${series.length} days to ${formatDay(last.day)}`;
  if (first.value === last.value) return `${span}: ${plural(last.value, 'upvote')}, unchanged`;
  return `${span}: from ${fmtInt(first.value)} to ${plural(last.value, 'upvote')}`;
}

/**
 * A line of running totals over a shaded area. The y axis starts at 0 so that a jump from 40 to 41
 * looks as small as it is; a flat line at the bottom means no upvotes.
 */
export function sparklineSvg(series: readonly DayValue[], opts: BarChartOptions): string {
  const width = opts.width ?? 160;
  const height = opts.height ?? 36;
  const pad = 3;
  const max = Math.max(1, ...series.map((d) => d.value));
  const xs = (i: number) => pad + (series.length > 1 ? (i / (series.length - 1)) * (width - 2 * pad) : (width - 2 * pad) / 2);
  const ys = (v: number) => height - pad - (v / max) * (height - 2 * pad);
  const pts = series.map((d, i) => `${n(xs(i))},${n(ys(d.value))}`);
  const parts = [svgOpen(opts.id, 'chart-spark', width, height), titleEl(opts.id, sparklineLabel(series))];
  if (pts.length > 0) {
    const baseline = n(height - pad);
    parts.push(`<path class="spark-area" d="M${n(xs(0))},${baseline}L${pts.join('L')}L${n(xs(series.length - 1))},${baseline}Z"/>`);
    parts.push(`<path class="spark-line" d="M${pts.join('L')}"/>`);
    const lastI = series.length - 1;
    parts.push(`<circle class="spark-dot" cx="${n(xs(lastI))}" cy="${n(ys(series[lastI].value))}" r="2.5"/>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

export interface ScoreTerms {
  votes: number;
  comments: number;
  freshness: number;
}

/** The terms in the order drawn, with the CSS class that colours them (and their legend swatch). */
export const SCORE_TERMS = [
  { key: 'votes', name: 'upvotes', cls: 'seg-votes' },
  { key: 'comments', name: 'comments', cls: 'seg-comments' },
  { key: 'freshness', name: 'freshness', cls: 'seg-freshness' },
] as const;

export function scoreBarLabel(t: ScoreTerms): string {
  const total = t.votes + t.comments + t.freshness;
  if (total <= 0) return 'Score 0.00: every term has decayed to zero';
  const terms = SCORE_TERMS.map((s) => `${s.name} ${t[s.key].toFixed(2)} (${Math.round((t[s.key] / total) * 100)}%)`);
  return `Score ${total.toFixed(2)}: ${terms.join(', ')}`;
}

/**
 * One bar split into the three terms, each as wide as its share of the score. The track's full
 * width stands for `fullScale` (default 1, one fresh upvote) or the score when larger: scores have
 * no upper bound, so a big score fills the bar and the bar shows what it is made of, while a score
 * that has decayed to almost nothing shows as almost nothing rather than a full bar.
 */
export function scoreBarSvg(t: ScoreTerms, opts: BarChartOptions & { fullScale?: number }): string {
  const width = opts.width ?? 320;
  const height = opts.height ?? 18;
  const total = t.votes + t.comments + t.freshness;
  const scale = Math.max(total, opts.fullScale ?? 1);
  const parts = [svgOpen(opts.id, 'chart-score', width, height), titleEl(opts.id, scoreBarLabel(t))];
  parts.push(`<rect class="score-track" x="0" y="0" width="${width}" height="${height}" rx="4"/>`);
  let x = 0;
  for (const s of SCORE_TERMS) {
    const v = Math.max(0, t[s.key]);
    const w = (v / scale) * width;
    if (w < 0.01) continue;
    parts.push(`<rect class="${s.cls}" x="${n(x)}" y="0" width="${n(w)}" height="${height}"><title>${esc(`${s.name}: ${v.toFixed(2)}`)}</title></rect>`);
    x += w;
  }
  parts.push('</svg>');
  return parts.join('');
}
