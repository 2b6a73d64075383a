import { Cron } from 'croner';
import type { Db } from '../storage/db.ts';
import { decay, explainTrending, TRENDING_WINDOW_DAYS, type TrendingExplanation } from '../domain/trending.ts';
import { addDays, toDay, type DayRange } from '../domain/dates.ts';
import type { FeedItem } from '../domain/paper.ts';
import { featuredInRange, trendingScores } from '../storage/feed-repo.ts';

/** Reads a paper's events and computes its trending explanation at `now`. */
export async function explainPaperTrending(db: Db, paperId: string, now: Date): Promise<TrendingExplanation | null> {
  const paper = await db.kysely
    .selectFrom('papers as p')
    .leftJoin('daily_entries as e', 'e.paper_id', 'p.id')
    .select(['p.id', 'p.published_at', 'p.created_at', 'e.featured_at'])
    .where('p.id', '=', paperId)
    .executeTakeFirst();
  if (!paper) return null;
  const votes = await db.kysely.selectFrom('votes').select('created_at').where('paper_id', '=', paperId).execute();
  // One entry per commenter (their first visible comment): a long back-and-forth counts once each.
  const commenters = await db.kysely
    .selectFrom('comments')
    .select((eb) => ['user_id', eb.fn.min('created_at').as('first')])
    .where('paper_id', '=', paperId)
    .where('deleted_at', 'is', null)
    .where('hidden_at', 'is', null)
    .groupBy('user_id')
    .execute();
  const paperTime = new Date(paper.featured_at ?? paper.published_at ?? paper.created_at);
  return explainTrending({
    now,
    paperTime: Number.isNaN(paperTime.getTime()) ? now : paperTime,
    voteTimes: votes.map((v) => new Date(v.created_at)),
    commenterTimes: commenters.map((c) => new Date(String(c.first))),
  });
}

/** Recomputes and stores one paper's score; call after every vote and comment change. */
export async function recomputeTrending(db: Db, paperId: string, now: Date): Promise<number> {
  const e = await explainPaperTrending(db, paperId, now);
  if (!e) return 0;
  await db.kysely.updateTable('papers').set({ trending_score: e.score, trending_at: now.toISOString() }).where('id', '=', paperId).execute();
  return e.score;
}

/**
 * The periodic re-decay: brings every stored score to `now` without reading events (all terms
 * share one half-life, see domain/trending.ts). Only papers with a non-zero score are touched.
 */
export async function redecayAll(db: Db, now: Date): Promise<number> {
  const rows = await db.kysely.selectFrom('papers').select(['id', 'trending_score', 'trending_at']).where('trending_score', '>', 0).execute();
  let n = 0;
  for (const r of rows) {
    if (!r.trending_at) continue;
    const next = decay(Number(r.trending_score), new Date(r.trending_at), now);
    await db.kysely.updateTable('papers').set({ trending_score: next < 1e-6 ? 0 : next, trending_at: now.toISOString() }).where('id', '=', r.id).execute();
    n++;
  }
  return n;
}

/**
 * Papers featured since the last run have no score yet (imports feature in bulk and never call
 * recomputeTrending): give them theirs, freshness bonus included, so that a new day's silent
 * papers rank above last week's.
 */
export async function scoreNewEntries(db: Db, now: Date): Promise<number> {
  const range = trendingRange(now);
  const rows = await db.kysely
    .selectFrom('daily_entries as e')
    .innerJoin('papers as p', 'p.id', 'e.paper_id')
    .select('p.id')
    .where('e.day', '>=', range.start)
    .where('e.day', '<=', range.end)
    .where('p.trending_at', 'is', null)
    .execute();
  for (const r of rows) await recomputeTrending(db, r.id, now);
  return rows.length;
}

/** One tick of the periodic job: score new entries, then age every stored score to `now`. */
export async function trendingTick(db: Db, now: Date): Promise<{ scored: number; redecayed: number }> {
  const scored = await scoreNewEntries(db, now);
  const redecayed = await redecayAll(db, now);
  return { scored, redecayed };
}

/**
 * Schedules `trendingTick` every 15 minutes (croner; `protect` skips a tick while the previous
 * one still runs). Between ticks, stored scores computed at different times drift apart by at most
 * a factor 2^(15 min / half-life) ≈ 0.7%, which bounds how wrong the ranking can be. The caller
 * owns the returned job: `job.stop()` on shutdown.
 */
export function startTrendingJob(deps: { db: Db; now?: () => Date; onError?: (err: unknown) => void }, pattern = '*/15 * * * *'): Cron {
  const now = deps.now ?? (() => new Date());
  return new Cron(pattern, { protect: true, catch: (err) => deps.onError?.(err) }, async () => {
    await trendingTick(deps.db, now());
  });
}

/** The days the trending list covers: the last TRENDING_WINDOW_DAYS days, today included. */
export function trendingRange(now: Date): DayRange {
  const today = toDay(now);
  return { start: addDays(today, -(TRENDING_WINDOW_DAYS - 1)), end: today };
}

export interface TrendingItem extends FeedItem {
  /** The stored score aged to `now`. */
  score: number;
}

/** A page of the trending list: papers featured in the window, by stored score, then upvotes. */
export async function trendingPage(db: Db, now: Date, page: number, pageSize: number): Promise<{ items: TrendingItem[]; total: number; range: DayRange }> {
  const range = trendingRange(now);
  const { items, total } = await featuredInRange(db, { range, sort: 'trending', offset: page * pageSize, limit: pageSize });
  const scores = await trendingScores(db, items.map((i) => i.paper.id));
  return {
    range,
    total,
    items: items.map((i) => {
      const s = scores.get(i.paper.id);
      return { ...i, score: s && s.at ? decay(s.score, new Date(s.at), now) : 0 };
    }),
  };
}

export { TRENDING_WINDOW_DAYS };
