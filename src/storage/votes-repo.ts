import { sql } from 'kysely';
import { lockPaperRow } from './row-lock.ts';
import type { Db } from './db.ts';

/** What the voter wants: an upvote, none, or the opposite of what they have now. */
export type VoteIntent = 'up' | 'down' | 'toggle';

export interface VoteResult {
  upvoted: boolean;
  upvotes: number;
}

/**
 * Applies a vote and recounts `papers.upvotes` in one transaction. The recount (rather than
 * `upvotes + 1`) is what keeps the counter exact when votes race: whatever order concurrent
 * transactions commit in, each leaves the counter equal to the rows in `votes`. The first statement
 * is a write, so the transaction takes the write lock at once instead of upgrading a read lock
 * (which SQLite can refuse under concurrency).
 */
export async function applyVote(db: Db, userId: number, paperId: string, intent: VoteIntent, now: string): Promise<VoteResult> {
  return db.kysely.transaction().execute(async (trx) => {
    await lockPaperRow(trx, paperId);
    let upvoted: boolean;
    if (intent === 'up') {
      await trx.insertInto('votes').values({ user_id: userId, paper_id: paperId, created_at: now }).onConflict((oc) => oc.doNothing()).execute();
      upvoted = true;
    } else {
      const del = await trx.deleteFrom('votes').where('user_id', '=', userId).where('paper_id', '=', paperId).executeTakeFirst();
      const removed = Number(del.numDeletedRows) > 0;
      if (intent === 'toggle' && !removed) {
        await trx.insertInto('votes').values({ user_id: userId, paper_id: paperId, created_at: now }).execute();
        upvoted = true;
      } else {
        upvoted = false;
      }
    }
    const row = await trx
      .updateTable('papers')
      .set({ upvotes: sql<number>`(SELECT count(*) FROM votes WHERE votes.paper_id = ${paperId})` })
      .where('id', '=', paperId)
      .returning('upvotes')
      .executeTakeFirstOrThrow();
    return { upvoted, upvotes: Number(row.upvotes) };
  });
}

/** Which of `paperIds` the user has upvoted: one query per page, for the pressed state. */
export async function votedAmong(db: Db, userId: number, paperIds: readonly string[]): Promise<Set<string>> {
  if (paperIds.length === 0) return new Set();
  const rows = await db.kysely.selectFrom('votes').select('paper_id').where('user_id', '=', userId).where('paper_id', 'in', paperIds).execute();
  return new Set(rows.map((r) => r.paper_id));
}
