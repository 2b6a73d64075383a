/** Paths of the HTML pages, built in one place so that links and routes agree. */
import type { Period } from '../../services/feed.ts';
import { formatDay, formatMonth, weekRange } from '../../domain/dates.ts';

/** `/papers/2503.11677`, `/papers/math/9310227` (the slash of old-style ids stays a path separator). */
export function paperPath(id: string): string {
  return `/papers/${id.split('/').map(encodeURIComponent).join('/')}`;
}

/** The canonical path of a period, with `p` when past the first page. */
export function periodPath(p: Period, page = 0): string {
  const base = p.kind === 'day' ? `/papers?date=${p.day}` : p.kind === 'week' ? `/papers/week/${p.week}` : `/papers/month/${p.month}`;
  if (page <= 0) return base;
  return `${base}${base.includes('?') ? '&' : '?'}p=${page}`;
}

export function dayPath(day: string): string {
  return periodPath({ kind: 'day', day });
}

/** "Mar 12, 2025", "Week 11, 2025", "March 2025". */
export function periodLabel(p: Period): string {
  if (p.kind === 'day') return formatDay(p.day);
  if (p.kind === 'week') {
    const [year, w] = p.week.split('-W');
    return `Week ${Number(w)}, ${year}`;
  }
  return formatMonth(p.month);
}

/** A secondary line under the heading: the days a week spans. */
export function periodSubLabel(p: Period): string | null {
  if (p.kind !== 'week') return null;
  const r = weekRange(p.week);
  const sameYear = r.start.slice(0, 4) === r.end.slice(0, 4);
  return `${formatDay(r.start, !sameYear)} – ${formatDay(r.end)}`;
}

/** Only http(s) URLs from data become links; anything else (`javascript:`, garbage) is dropped. */
export function safeHttpUrl(u: string | null | undefined): string | null {
  if (!u) return null;
  try {
    const url = new URL(u);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** Truncates on a word boundary, adding an ellipsis: for meta descriptions. */
export function truncate(s: string, max: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  if (t.length <= max) return t;
  const cut = t.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,.;:]+$/, '')}…`;
}
