import type { Db } from '../storage/db.ts';
import { decay, explainTrending, TRENDING_WINDOW_DAYS, type TrendingExplanation } from '../domain/trending.ts';

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

export { TRENDING_WINDOW_DAYS };
