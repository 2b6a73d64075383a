import type { Db } from './db.ts';
import type { DayRange } from '../domain/dates.ts';
import type { FeatureSource, FeedItem } from '../domain/paper.ts';
import { rowToPaper } from './papers-repo.ts';

export type FeedSort = 'default' | 'publishedAt' | 'trending';

export interface FeedQuery {
  range: DayRange;
  sort: FeedSort;
  offset: number;
  limit: number;
  /** Only entries featured by this user id; `null` means entries with no featuring user (imports). */
  featuredBy?: number | null;
}

export interface FeedPage {
  items: FeedItem[];
  total: number;
}

/**
 * Featured papers in a day range. Default order: the editor's explicit position, then upvotes,
 * then the time it was featured (earlier first, as a listing reads top to bottom).
 */
export async function featuredInRange(db: Db, q: FeedQuery): Promise<FeedPage> {
  let base = db.kysely
    .selectFrom('daily_entries as e')
    .innerJoin('papers as p', 'p.id', 'e.paper_id')
    .where('e.day', '>=', q.range.start)
    .where('e.day', '<=', q.range.end);
  if (q.featuredBy !== undefined) {
    base = q.featuredBy === null ? base.where('e.featured_by', 'is', null) : base.where('e.featured_by', '=', q.featuredBy);
  }
  const totalRow = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  let rows = base.selectAll('p').select(['e.day', 'e.featured_at', 'e.featured_by', 'e.source as entry_source', 'e.position']);
  if (q.sort === 'publishedAt') {
    rows = rows.orderBy('e.day', 'desc').orderBy('p.published_at', 'desc').orderBy('p.id', 'desc');
  } else {
    rows = rows.orderBy(q.sort === 'trending' ? 'p.upvotes' : 'e.day', 'desc');
    if (q.sort === 'default') rows = rows.orderBy((eb) => eb.case().when('e.position', 'is', null).then(1).else(0).end()).orderBy('e.position').orderBy('p.upvotes', 'desc');
    rows = rows.orderBy('e.featured_at', 'asc').orderBy('p.id', 'asc');
  }
  const result = await rows.limit(q.limit).offset(q.offset).execute();
  return {
    total: Number(totalRow.n),
    items: result.map((r) => ({
      paper: rowToPaper(r),
      entry: { paperId: r.id, day: r.day, featuredAt: r.featured_at, featuredBy: r.featured_by, source: r.entry_source as FeatureSource },
    })),
  };
}

export async function latestDay(db: Db): Promise<string | null> {
  const r = await db.kysely.selectFrom('daily_entries').select((eb) => eb.fn.max('day').as('day')).executeTakeFirst();
  return (r?.day as string | null) ?? null;
}

/** The nearest non-empty days before and after `day` (empty days are skipped). */
export async function adjacentDays(db: Db, day: string): Promise<{ prev: string | null; next: string | null }> {
  const prev = await db.kysely.selectFrom('daily_entries').select((eb) => eb.fn.max('day').as('d')).where('day', '<', day).executeTakeFirst();
  const next = await db.kysely.selectFrom('daily_entries').select((eb) => eb.fn.min('day').as('d')).where('day', '>', day).executeTakeFirst();
  return { prev: (prev?.d as string | null) ?? null, next: (next?.d as string | null) ?? null };
}

/** Papers featured per day within a range, oldest day first; days with none are absent. */
export async function dayCounts(db: Db, range: DayRange): Promise<{ day: string; count: number }[]> {
  const rows = await db.kysely
    .selectFrom('daily_entries')
    .select(['day', (eb) => eb.fn.countAll<number>().as('n')])
    .where('day', '>=', range.start)
    .where('day', '<=', range.end)
    .groupBy('day')
    .orderBy('day')
    .execute();
  return rows.map((r) => ({ day: r.day, count: Number(r.n) }));
}

export async function countDays(db: Db): Promise<number> {
  const r = await db.kysely.selectFrom('daily_entries').select((eb) => eb.fn.count<number>('day').distinct().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function countEntries(db: Db): Promise<number> {
  const r = await db.kysely.selectFrom('daily_entries').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}
