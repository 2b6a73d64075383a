import type { Db } from './db.ts';
import type { DayRange } from '../domain/dates.ts';
import type { FeedItem } from '../domain/paper.ts';
import { rowToEntry, rowToPaper } from './papers-repo.ts';

/**
 * default: the editorial order of a day (position, upvotes, time featured); upvotes: most upvoted
 * first (week and month pages); trending: the stored trending score, then upvotes (see
 * domain/trending.ts; the periodic re-decay keeps stored scores comparable); publishedAt: newest
 * arXiv submission first.
 */
export type FeedSort = 'default' | 'publishedAt' | 'trending' | 'upvotes';

/** A featuring user id; `null` means entries with no featuring user (imports). */
export type FeaturedByFilter = number | null;

export interface FeedQuery {
  range: DayRange;
  sort: FeedSort;
  offset: number;
  limit: number;
  /** Only entries featured by this user (or, given a list, by any of them). */
  featuredBy?: FeaturedByFilter | readonly FeaturedByFilter[];
}

export interface FeedPage {
  items: FeedItem[];
  total: number;
}

/**
 * Featured papers in a day range, with the featuring user's name. Ties always end on the time
 * featured (earlier first, as a listing reads top to bottom) and the id, so pages are stable.
 */
export async function featuredInRange(db: Db, q: FeedQuery): Promise<FeedPage> {
  let base = db.kysely
    .selectFrom('daily_entries as e')
    .innerJoin('papers as p', 'p.id', 'e.paper_id')
    .where('e.day', '>=', q.range.start)
    .where('e.day', '<=', q.range.end);
  if (q.featuredBy !== undefined) {
    const wanted: readonly FeaturedByFilter[] = Array.isArray(q.featuredBy) ? q.featuredBy : [q.featuredBy as FeaturedByFilter];
    if (wanted.length === 0) return { items: [], total: 0 };
    base = base.where((eb) => eb.or(wanted.map((id) => (id === null ? eb('e.featured_by', 'is', null) : eb('e.featured_by', '=', id)))));
  }
  const totalRow = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  let rows = base
    .leftJoin('users as u', 'u.id', 'e.featured_by')
    .selectAll('p')
    .select(['e.day', 'e.featured_at', 'e.featured_by', 'e.source as entry_source', 'e.position', 'u.username as featured_by_name']);
  if (q.sort === 'publishedAt') {
    rows = rows.orderBy('e.day', 'desc').orderBy('p.published_at', 'desc').orderBy('p.id', 'desc');
  } else {
    if (q.sort === 'default') {
      rows = rows
        .orderBy('e.day', 'desc')
        .orderBy((eb) => eb.case().when('e.position', 'is', null).then(1).else(0).end())
        .orderBy('e.position')
        .orderBy('p.upvotes', 'desc');
    } else if (q.sort === 'trending') {
      rows = rows.orderBy('p.trending_score', 'desc').orderBy('p.upvotes', 'desc');
    } else {
      rows = rows.orderBy('p.upvotes', 'desc');
    }
    rows = rows.orderBy('e.featured_at', 'asc').orderBy('p.id', 'asc');
  }
  const result = await rows.limit(q.limit).offset(q.offset).execute();
  return {
    total: Number(totalRow.n),
    items: result.map((r) => ({
      paper: rowToPaper(r),
      entry: rowToEntry({ ...r, paper_id: r.id, source: r.entry_source }),
    })),
  };
}

/** A day's paper ids in the order its feed shows them. */
export async function dayOrder(db: Db, day: string): Promise<string[]> {
  const rows = await db.kysely
    .selectFrom('daily_entries as e')
    .innerJoin('papers as p', 'p.id', 'e.paper_id')
    .select('e.paper_id')
    .where('e.day', '=', day)
    .orderBy((eb) => eb.case().when('e.position', 'is', null).then(1).else(0).end())
    .orderBy('e.position')
    .orderBy('p.upvotes', 'desc')
    .orderBy('e.featured_at', 'asc')
    .orderBy('p.id', 'asc')
    .execute();
  return rows.map((r) => r.paper_id);
}

/**
 * Pins a day's order: `ids` get positions 0, 1, 2 ...; the day's other entries lose theirs and
 * follow in the default order. One transaction, so readers never see a half-applied order.
 */
export async function setDayOrder(db: Db, day: string, ids: readonly string[]): Promise<void> {
  await db.kysely.transaction().execute(async (trx) => {
    await trx.updateTable('daily_entries').set({ position: null }).where('day', '=', day).execute();
    for (const [i, id] of ids.entries()) {
      await trx.updateTable('daily_entries').set({ position: i }).where('day', '=', day).where('paper_id', '=', id).execute();
    }
  });
}

/** Stored trending scores (and when they were computed) for a set of papers. */
export async function trendingScores(db: Db, ids: readonly string[]): Promise<Map<string, { score: number; at: string | null }>> {
  const out = new Map<string, { score: number; at: string | null }>();
  if (ids.length === 0) return out;
  const rows = await db.kysely.selectFrom('papers').select(['id', 'trending_score', 'trending_at']).where('id', 'in', ids).execute();
  for (const r of rows) out.set(r.id, { score: Number(r.trending_score), at: r.trending_at });
  return out;
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
