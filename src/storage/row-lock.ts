import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/**
 * Counters (a paper's upvotes and comments, a comment's votes) are recounted inside the transaction
 * that changed them. Under PostgreSQL's READ COMMITTED two such transactions would each count
 * without the other's row and the last writer would store a stale count, so each first takes the
 * counted row's write lock with a no-op UPDATE (portable, unlike FOR UPDATE, which SQLite lacks).
 * The second transaction then waits, and its later statements see the first one's committed rows.
 * On SQLite the write transaction already excludes every other writer.
 */
export async function lockPaperRow(trx: Kysely<Database>, paperId: string): Promise<void> {
  await trx.updateTable('papers').set((eb) => ({ upvotes: eb.ref('upvotes') })).where('id', '=', paperId).execute();
}

export async function lockCommentRow(trx: Kysely<Database>, commentId: number): Promise<void> {
  await trx.updateTable('comments').set((eb) => ({ upvotes: eb.ref('upvotes') })).where('id', '=', commentId).execute();
}
