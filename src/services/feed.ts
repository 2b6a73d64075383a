import type { Db } from '../storage/db.ts';
import { AppError } from './errors.ts';
import {
  addMonths, addWeeks, isValidDay, isValidMonth, isValidWeek, isoWeekOf, monthOf, monthRange, weekRange, type DayRange,
} from '../domain/dates.ts';
import { adjacentDays, dayCounts, featuredInRange, latestDay, type FeedQuery, type FeedSort } from '../storage/feed-repo.ts';
import type { FeedItem } from '../domain/paper.ts';

export type Period =
  | { kind: 'day'; day: string }
  | { kind: 'week'; week: string }
  | { kind: 'month'; month: string };

export function periodRange(p: Period): DayRange {
  if (p.kind === 'day') return { start: p.day, end: p.day };
  if (p.kind === 'week') return weekRange(p.week);
  return monthRange(p.month);
}

/** Validates `date` / `week` / `month` query values; at most one may be given. Null: none given. */
export function parsePeriod(q: { date?: string | null; week?: string | null; month?: string | null }): Period | null {
  const given = (['date', 'week', 'month'] as const).filter((k) => q[k] !== undefined && q[k] !== null && q[k] !== '');
  if (given.length > 1) throw AppError.badRequest(`Give only one of date, week or month (got ${given.join(' and ')})`, given[1]);
  if (q.date) {
    if (!isValidDay(q.date)) throw AppError.badRequest(`Invalid date "${q.date}": expected a calendar day YYYY-MM-DD`, 'date');
    return { kind: 'day', day: q.date };
  }
  if (q.week) {
    if (!isValidWeek(q.week)) throw AppError.badRequest(`Invalid week "${q.week}": expected an ISO week YYYY-Www (W01-W52, or W53 in 53-week years)`, 'week');
    return { kind: 'week', week: q.week };
  }
  if (q.month) {
    if (!isValidMonth(q.month)) throw AppError.badRequest(`Invalid month "${q.month}": expected YYYY-MM`, 'month');
    return { kind: 'month', month: q.month };
  }
  return null;
}

export interface FeedView {
  period: Period;
  range: DayRange;
  items: FeedItem[];
  total: number;
  page: number;
  pageSize: number;
  /** Previous/next periods that have papers (days skip empty days; weeks/months step by one). */
  prev: Period | null;
  next: Period | null;
}

export interface FeedOptions {
  page: number;
  pageSize: number;
  sort: FeedSort;
  featuredBy?: FeedQuery['featuredBy'];
}

/** The latest day with papers, or null on an empty instance. */
export async function defaultPeriod(db: Db): Promise<Period | null> {
  const day = await latestDay(db);
  return day ? { kind: 'day', day } : null;
}

export async function loadFeed(db: Db, period: Period, opts: FeedOptions): Promise<FeedView> {
  const range = periodRange(period);
  const { items, total } = await featuredInRange(db, {
    range,
    sort: opts.sort,
    offset: opts.page * opts.pageSize,
    limit: opts.pageSize,
    featuredBy: opts.featuredBy,
  });
  const { prev, next } = await neighbours(db, period, range);
  return { period, range, items, total, page: opts.page, pageSize: opts.pageSize, prev, next };
}

async function neighbours(db: Db, period: Period, range: DayRange): Promise<{ prev: Period | null; next: Period | null }> {
  if (period.kind === 'day') {
    const adj = await adjacentDays(db, period.day);
    return { prev: adj.prev ? { kind: 'day', day: adj.prev } : null, next: adj.next ? { kind: 'day', day: adj.next } : null };
  }
  // Weeks and months jump to the nearest period that has papers, like days do.
  const before = await adjacentDays(db, range.start);
  const after = await adjacentDays(db, range.end);
  if (period.kind === 'week') {
    return {
      prev: before.prev ? { kind: 'week', week: isoWeekOf(before.prev) } : null,
      next: after.next ? { kind: 'week', week: isoWeekOf(after.next) } : null,
    };
  }
  return {
    prev: before.prev ? { kind: 'month', month: monthOf(before.prev) } : null,
    next: after.next ? { kind: 'month', month: monthOf(after.next) } : null,
  };
}

export { dayCounts, addWeeks, addMonths };
