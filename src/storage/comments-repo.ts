import type { Kysely, Selectable } from 'kysely';
import type { Db } from './db.ts';
import type { CommentsTable, Database } from './schema.ts';

/**
 * Comments and comment votes. Functions that write take a `Kysely<Database>` so that the service
 * can pass a transaction: counters are recomputed from the rows (never incremented) inside the
 * same transaction as the change, so they cannot drift, even when requests race.
 */
type Q = Kysely<Database>;

export type CommentRow = Selectable<CommentsTable>;

/** A comment row with its author's name and ban state, as lists need them. */
export interface CommentWithAuthor extends CommentRow {
  username: string;
  author_banned_at: string | null;
}

export function commentId(r: { id: number | string | bigint }): number {
  return Number(r.id);
}

export async function insertComment(q: Q, c: { paperId: string; userId: number; parentId: number | null; body: string; now: string }): Promise<number> {
  const r = await q
    .insertInto('comments')
    .values({ paper_id: c.paperId, user_id: c.userId, parent_id: c.parentId, body: c.body, created_at: c.now, updated_at: null, deleted_at: null, hidden_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}

export async function getComment(q: Q, id: number): Promise<CommentRow | undefined> {
  return q.selectFrom('comments').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function getCommentWithAuthor(db: Db, id: number): Promise<CommentWithAuthor | undefined> {
  return db.kysely
    .selectFrom('comments as c')
    .innerJoin('users as u', 'u.id', 'c.user_id')
    .selectAll('c')
    .select(['u.username', 'u.banned_at as author_banned_at'])
    .where('c.id', '=', id)
    .executeTakeFirst();
}

/** Every comment of a paper, oldest first; the service builds the thread and applies visibility. */
export async function listPaperComments(db: Db, paperId: string): Promise<CommentWithAuthor[]> {
  return db.kysely
    .selectFrom('comments as c')
    .innerJoin('users as u', 'u.id', 'c.user_id')
    .selectAll('c')
    .select(['u.username', 'u.banned_at as author_banned_at'])
    .where('c.paper_id', '=', paperId)
    .orderBy('c.created_at', 'asc')
    .orderBy('c.id', 'asc')
    .execute();
}

/** A user's visible comments, newest first, with the paper title: for profile pages. */
export async function listUserComments(db: Db, userId: number, limit = 50) {
  return db.kysely
    .selectFrom('comments as c')
    .innerJoin('papers as p', 'p.id', 'c.paper_id')
    .select(['c.id', 'c.paper_id', 'c.parent_id', 'c.body', 'c.created_at', 'c.updated_at', 'c.upvotes', 'c.downvotes', 'p.title as paper_title'])
    .where('c.user_id', '=', userId)
    .where('c.deleted_at', 'is', null)
    .where('c.hidden_at', 'is', null)
    .orderBy('c.created_at', 'desc')
    .limit(limit)
    .execute();
}

/** Hidden comments across the site, newest first: the moderation page. */
export async function listHiddenComments(db: Db, limit = 100): Promise<CommentWithAuthor[]> {
  return db.kysely
    .selectFrom('comments as c')
    .innerJoin('users as u', 'u.id', 'c.user_id')
    .selectAll('c')
    .select(['u.username', 'u.banned_at as author_banned_at'])
    .where('c.hidden_at', 'is not', null)
    .where('c.deleted_at', 'is', null)
    .orderBy('c.hidden_at', 'desc')
    .limit(limit)
    .execute();
}

export async function listBannedUsers(db: Db, limit = 100) {
  return db.kysely.selectFrom('users').select(['id', 'username', 'banned_at']).where('banned_at', 'is not', null).orderBy('banned_at', 'desc').limit(limit).execute();
}

export async function updateCommentBody(q: Q, id: number, body: string, now: string): Promise<void> {
  await q.updateTable('comments').set({ body, updated_at: now }).where('id', '=', id).execute();
}

/** Soft delete: the row stays so that replies keep their parent; the text goes. */
export async function markCommentDeleted(q: Q, id: number, now: string): Promise<void> {
  await q.updateTable('comments').set({ body: '', deleted_at: now }).where('id', '=', id).execute();
}

export async function setCommentHidden(q: Q, id: number, hiddenAt: string | null): Promise<void> {
  await q.updateTable('comments').set({ hidden_at: hiddenAt }).where('id', '=', id).execute();
}

/** Sets `papers.num_comments` to the count of visible (neither deleted nor hidden) comments. */
export async function recountPaperComments(q: Q, paperId: string): Promise<number> {
  const r = await q
    .selectFrom('comments')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('paper_id', '=', paperId)
    .where('deleted_at', 'is', null)
    .where('hidden_at', 'is', null)
    .executeTakeFirstOrThrow();
  const n = Number(r.n);
  await q.updateTable('papers').set({ num_comments: n }).where('id', '=', paperId).execute();
  return n;
}

/** Records (value ±1) or clears (value 0) one user's vote on a comment. */
export async function setCommentVote(q: Q, v: { userId: number; commentId: number; value: -1 | 0 | 1; now: string }): Promise<void> {
  if (v.value === 0) {
    await q.deleteFrom('comment_votes').where('user_id', '=', v.userId).where('comment_id', '=', v.commentId).execute();
    return;
  }
  await q
    .insertInto('comment_votes')
    .values({ user_id: v.userId, comment_id: v.commentId, value: v.value, created_at: v.now })
    .onConflict((oc) => oc.columns(['user_id', 'comment_id']).doUpdateSet({ value: v.value, created_at: v.now }))
    .execute();
}

/** Counts a comment's votes from comment_votes and stores them with the score `scoreOf` gives. */
export async function recountCommentVotes(q: Q, commentId: number, scoreOf: (up: number, down: number) => number): Promise<{ upvotes: number; downvotes: number; score: number }> {
  const r = await q
    .selectFrom('comment_votes')
    .select((eb) => [
      eb.fn.sum<number>(eb.case().when('value', '>', 0).then(1).else(0).end()).as('up'),
      eb.fn.sum<number>(eb.case().when('value', '<', 0).then(1).else(0).end()).as('down'),
    ])
    .where('comment_id', '=', commentId)
    .executeTakeFirstOrThrow();
  const upvotes = Number(r.up ?? 0);
  const downvotes = Number(r.down ?? 0);
  const score = scoreOf(upvotes, downvotes);
  await q.updateTable('comments').set({ upvotes, downvotes, score }).where('id', '=', commentId).execute();
  return { upvotes, downvotes, score };
}

/** The viewer's votes on a paper's comments: comment id → +1 / −1. */
export async function votesOfUserOnPaper(db: Db, userId: number, paperId: string): Promise<Map<number, number>> {
  const rows = await db.kysely
    .selectFrom('comment_votes as v')
    .innerJoin('comments as c', 'c.id', 'v.comment_id')
    .select(['v.comment_id', 'v.value'])
    .where('v.user_id', '=', userId)
    .where('c.paper_id', '=', paperId)
    .execute();
  return new Map(rows.map((r) => [Number(r.comment_id), Number(r.value)]));
}
