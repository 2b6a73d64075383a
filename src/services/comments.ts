import type { Db } from '../storage/db.ts';
import { lockCommentRow, lockPaperRow } from '../storage/row-lock.ts';
import type { User } from '../domain/user.ts';
import { isAdmin } from '../domain/user.ts';
import { renderCommentMarkdown } from '../domain/markdown.ts';
import { wilsonLowerBound } from '../domain/wilson.ts';
import { AppError } from './errors.ts';
import { assertCanWrite } from './auth.ts';
import { hitRateLimit } from './rate-limit.ts';
import { recomputeTrending } from './trending.ts';
import { findUserByUsername, setBanned } from '../storage/users-repo.ts';
import {
  getComment, getCommentWithAuthor, insertComment, listPaperComments, markCommentDeleted, recountCommentVotes,
  recountPaperComments, setCommentHidden, setCommentVote, updateCommentBody, votesOfUserOnPaper, type CommentRow, type CommentWithAuthor,
} from '../storage/comments-repo.ts';

/**
 * The discussion under each paper. Every rule lives here so that the HTML forms and the JSON API
 * behave identically: who may write, text limits, one level of replies, soft deletion, moderation,
 * and the exact `papers.num_comments` counter (recomputed in the same transaction as each change).
 */

export const COMMENT_MAX_CHARS = 10_000;
export const COMMENT_SORTS = ['top', 'new'] as const;
export type CommentSort = (typeof COMMENT_SORTS)[number];

export function parseCommentSort(s: string | undefined): CommentSort {
  return s === 'new' ? 'new' : 'top';
}

/**
 * Line endings become \n (browsers send \r\n from textareas) and trailing whitespace goes; leading
 * spaces stay, since they are Markdown (an indented code block). Blank or over-long text is a 400.
 */
export function normalizeCommentText(raw: unknown): string {
  if (typeof raw !== 'string') throw AppError.badRequest('text is required: the comment, in Markdown', 'text');
  const text = raw.replace(/\r\n?/g, '\n').trimEnd();
  if (text.trim().length === 0) throw AppError.badRequest('text: the comment is empty', 'text');
  if (text.length > COMMENT_MAX_CHARS) {
    throw AppError.badRequest(`text: a comment can be at most ${COMMENT_MAX_CHARS.toLocaleString('en-US')} characters (this one has ${text.length.toLocaleString('en-US')})`, 'text');
  }
  return text;
}

export type CommentState = 'visible' | 'deleted' | 'hidden';

/** A comment as one viewer sees it: text withheld where they may not read it, permissions resolved. */
export interface CommentView {
  id: number;
  paperId: string;
  parentId: number | null;
  /** Null once deleted: a deleted comment no longer says who wrote it. */
  author: { username: string; banned: boolean } | null;
  /** Markdown source and its sanitised HTML; empty when deleted, or hidden from this viewer. */
  text: string;
  html: string;
  state: CommentState;
  createdAt: string;
  updatedAt: string | null;
  upvotes: number;
  downvotes: number;
  score: number;
  /** The viewer's vote: 1, -1, or 0. */
  myVote: number;
  mine: boolean;
  canEdit: boolean;
  canDelete: boolean;
  canVote: boolean;
  canReply: boolean;
  canModerate: boolean;
  replies: CommentView[];
}

export interface Discussion {
  comments: CommentView[];
  numComments: number;
  sort: CommentSort;
}

function stateOf(r: CommentRow): CommentState {
  if (r.deleted_at) return 'deleted';
  if (r.hidden_at) return 'hidden';
  return 'visible';
}

export function toCommentView(r: CommentWithAuthor, viewer: User | null, myVote = 0): CommentView {
  const state = stateOf(r);
  const mine = viewer !== null && viewer.id === Number(r.user_id);
  const admin = viewer !== null && isAdmin(viewer.role);
  const writer = viewer !== null && !viewer.bannedAt;
  // Hidden text stays readable to moderators and to its author (so they know what was hidden).
  const readable = state === 'visible' || (state === 'hidden' && (admin || mine));
  return {
    id: Number(r.id),
    paperId: r.paper_id,
    parentId: r.parent_id === null ? null : Number(r.parent_id),
    author: state === 'deleted' ? null : { username: r.username, banned: r.author_banned_at !== null },
    text: readable ? r.body : '',
    html: readable ? renderCommentMarkdown(r.body) : '',
    state,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    upvotes: Number(r.upvotes),
    downvotes: Number(r.downvotes),
    score: Number(r.score),
    myVote,
    mine,
    canEdit: writer && mine && state === 'visible',
    canDelete: writer && mine && state !== 'deleted',
    canVote: writer && !mine && state === 'visible',
    canReply: writer && state === 'visible' && r.parent_id === null,
    canModerate: admin && state !== 'deleted',
    replies: [],
  };
}

/**
 * Top-level comments ordered by `sort`, each with its replies oldest first (a thread under one
 * comment reads as a conversation whichever order the page uses). Deleted replies vanish; a deleted
 * top-level comment stays as "[deleted]" only while it has replies to hold together.
 */
export function buildThread(views: CommentView[], sort: CommentSort): CommentView[] {
  const byId = new Map(views.map((v) => [v.id, v]));
  const roots: CommentView[] = [];
  for (const v of views) {
    if (v.parentId === null) {
      roots.push(v);
      continue;
    }
    // Replies are flattened on insert; walking up also copes with rows written any other way.
    let root = byId.get(v.parentId);
    while (root && root.parentId !== null) root = byId.get(root.parentId);
    if (root && v.state !== 'deleted') root.replies.push(v);
  }
  const ordered = roots.filter((r) => r.state !== 'deleted' || r.replies.length > 0);
  const older = (a: CommentView, b: CommentView) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id;
  for (const r of ordered) r.replies.sort(older);
  if (sort === 'new') ordered.sort((a, b) => -older(a, b));
  // Equal scores (e.g. no votes yet) keep the conversation's order: oldest first.
  else ordered.sort((a, b) => b.score - a.score || older(a, b));
  return ordered;
}

export async function loadDiscussion(db: Db, paperId: string, viewer: User | null, sort: CommentSort): Promise<Discussion> {
  const [rows, myVotes, paper] = await Promise.all([
    listPaperComments(db, paperId),
    viewer ? votesOfUserOnPaper(db, viewer.id, paperId) : Promise.resolve(new Map<number, number>()),
    db.kysely.selectFrom('papers').select('num_comments').where('id', '=', paperId).executeTakeFirst(),
  ]);
  const views = rows.map((r) => toCommentView(r, viewer, myVotes.get(Number(r.id)) ?? 0));
  return { comments: buildThread(views, sort), numComments: Number(paper?.num_comments ?? 0), sort };
}

/** One comment as `viewer` sees it (without replies); 404 if it does not exist. */
export async function getCommentView(db: Db, id: number, viewer: User | null): Promise<CommentView> {
  const row = await getCommentWithAuthor(db, id);
  if (!row) throw AppError.notFound(`No comment ${id}`);
  const vote = viewer ? ((await votesOfUserOnPaper(db, viewer.id, row.paper_id)).get(id) ?? 0) : 0;
  return toCommentView(row, viewer, vote);
}

/** Re-counts the paper's comments in `fn`'s transaction, then refreshes its trending score. */
async function changeComments(db: Db, paperId: string, now: Date, fn: (trx: Db['kysely']) => Promise<void>): Promise<void> {
  await db.kysely.transaction().execute(async (trx) => {
    await lockPaperRow(trx, paperId);
    await fn(trx);
    await recountPaperComments(trx, paperId);
  });
  await recomputeTrending(db, paperId, now);
}

export interface NewComment {
  paperId: string;
  text: unknown;
  parentId?: number | null;
}

type Limits = Parameters<typeof hitRateLimit>[4];

/** Posts a comment or reply; returns its id. A reply to a reply attaches to the top-level comment. */
export async function createComment(db: Db, viewer: User | null, input: NewComment, now: Date, limits?: Limits): Promise<number> {
  const user = assertCanWrite(viewer);
  const text = normalizeCommentText(input.text);
  const paper = await db.kysely.selectFrom('papers').select('id').where('id', '=', input.paperId).executeTakeFirst();
  if (!paper) throw AppError.notFound(`No paper ${input.paperId} is indexed here`);
  let parentId: number | null = null;
  if (input.parentId !== undefined && input.parentId !== null) {
    const parent = await getComment(db.kysely, input.parentId);
    if (!parent || parent.paper_id !== input.paperId) throw AppError.badRequest(`parentId: there is no comment ${input.parentId} on this paper`, 'parentId');
    if (parent.deleted_at) throw AppError.badRequest('parentId: that comment was deleted; reply to the thread instead', 'parentId');
    if (parent.hidden_at) throw AppError.badRequest('parentId: that comment was hidden by a moderator', 'parentId');
    parentId = parent.parent_id === null ? Number(parent.id) : Number(parent.parent_id);
  }
  await hitRateLimit(db, 'comment', `user:${user.id}`, now, limits);
  let id = 0;
  await changeComments(db, input.paperId, now, async (trx) => {
    id = await insertComment(trx, { paperId: input.paperId, userId: user.id, parentId, body: text, now: now.toISOString() });
  });
  return id;
}

/** The comment, if it exists and is not deleted (a deleted comment is gone for every purpose). */
async function liveComment(db: Db, id: number): Promise<CommentRow> {
  const c = await getComment(db.kysely, id);
  if (!c || c.deleted_at) throw AppError.notFound(`No comment ${id}`);
  return c;
}

function assertOwner(user: User, c: CommentRow, verb: string): void {
  if (Number(c.user_id) !== user.id) throw new AppError('forbidden', `You can only ${verb} your own comments`);
}

/** Loads a comment its author is about to edit: the edit form's check, same as the edit's. */
export async function commentForEdit(db: Db, viewer: User | null, id: number): Promise<CommentRow> {
  const user = assertCanWrite(viewer);
  const c = await liveComment(db, id);
  assertOwner(user, c, 'edit');
  if (c.hidden_at) throw new AppError('forbidden', 'This comment was hidden by a moderator and can no longer be edited');
  return c;
}

export async function editComment(db: Db, viewer: User | null, id: number, rawText: unknown, now: Date): Promise<CommentRow> {
  const c = await commentForEdit(db, viewer, id);
  const text = normalizeCommentText(rawText);
  // Saving unchanged text is not an edit: no "edited" mark.
  if (text !== c.body) await updateCommentBody(db.kysely, Number(c.id), text, now.toISOString());
  return c;
}

export async function deleteComment(db: Db, viewer: User | null, id: number, now: Date): Promise<CommentRow> {
  const user = assertCanWrite(viewer);
  const c = await liveComment(db, id);
  assertOwner(user, c, 'delete');
  await changeComments(db, c.paper_id, now, (trx) => markCommentDeleted(trx, Number(c.id), now.toISOString()));
  return c;
}

function assertAdmin(viewer: User | null): User {
  const user = assertCanWrite(viewer);
  if (!isAdmin(user.role)) throw new AppError('forbidden', 'Only admins can moderate');
  return user;
}

export async function setCommentHiddenByAdmin(db: Db, viewer: User | null, id: number, hidden: boolean, now: Date): Promise<CommentRow> {
  assertAdmin(viewer);
  const c = await liveComment(db, id);
  if (Boolean(c.hidden_at) !== hidden) {
    await changeComments(db, c.paper_id, now, (trx) => setCommentHidden(trx, Number(c.id), hidden ? now.toISOString() : null));
  }
  return c;
}

/** Sets the viewer's vote on a comment: 1 up, -1 down, 0 none. Returns the new counts. */
export async function voteOnComment(db: Db, viewer: User | null, id: number, value: -1 | 0 | 1, now: Date, limits?: Limits) {
  const user = assertCanWrite(viewer);
  const c = await liveComment(db, id);
  if (c.hidden_at) throw AppError.notFound(`No comment ${id}`);
  if (Number(c.user_id) === user.id) throw new AppError('forbidden', 'You cannot vote on your own comment');
  await hitRateLimit(db, 'vote', `user:${user.id}`, now, limits);
  const counts = await db.kysely.transaction().execute(async (trx) => {
    await lockCommentRow(trx, id);
    await setCommentVote(trx, { userId: user.id, commentId: id, value, now: now.toISOString() });
    return recountCommentVotes(trx, id, wilsonLowerBound);
  });
  return { ...counts, paperId: c.paper_id, myVote: value };
}

/** Bans or unbans a user (admins only). A banned user can read but not post, edit or vote. */
export async function setUserBanned(db: Db, viewer: User | null, username: string, banned: boolean, now: Date): Promise<User> {
  const admin = assertAdmin(viewer);
  const target = await findUserByUsername(db, username);
  if (!target) throw AppError.notFound(`No user ${username}`);
  if (target.id === admin.id) throw AppError.badRequest('You cannot ban yourself', 'username');
  if (isAdmin(target.role)) throw new AppError('forbidden', 'Admins cannot be banned; change their role first');
  if (Boolean(target.bannedAt) !== banned) await setBanned(db, target.id, banned ? now.toISOString() : null);
  return { ...target, bannedAt: banned ? (target.bannedAt ?? now.toISOString()) : null };
}
