/**
 * The comments JSON API:
 *
 *   GET    /api/papers/<id>/comments?sort=top|new
 *   POST   /api/papers/<id>/comments   {"text": "...", "parentId"?: n}  → 201
 *   GET    /api/comments/<cid>
 *   PATCH  /api/comments/<cid>         {"text": "..."}
 *   DELETE /api/comments/<cid>                                           → 204
 *   PUT    /api/comments/<cid>/vote    {"value": 1 | 0 | -1}
 *
 * Writes take a Bearer token (no CSRF) or a session with the X-CSRF-Token header; the auth
 * middleware enforces which. Rules are the service's (services/comments.ts), shared with the forms.
 */
import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import type { AppDeps } from '../deps.ts';
import type { Config } from '../../config.ts';
import { AppError } from '../../services/errors.ts';
import { parseArxivId } from '../../domain/arxiv-id.ts';
import {
  createComment, deleteComment, editComment, getCommentView, loadDiscussion, voteOnComment, type CommentView,
} from '../../services/comments.ts';
import { currentUser } from '../middleware/auth.ts';
import { hexId, isoDateTime } from './serialize.ts';
import { parseQuery, type ApiUser } from './schemas.ts';
import {
  commentVoteBody, commentsQuery, editCommentBody, newCommentBody, parseBody, type ApiComment, type ApiCommentList, type ApiCommentReply,
} from './comment-schemas.ts';

/** Paper ids by shape, as in api/index.ts: old-style ids keep their slash. */
export const NEW_ID = ':id{[0-9]+\\.[0-9]+(?:v[0-9]+)?}';
export const OLD_ID = ':archive{[a-z][a-z-]*(?:\\.[A-Za-z]+)?}/:num{[0-9]+(?:v[0-9]+)?}';
const CID = ':cid{[0-9]{1,15}}';

/** Comment authors in the same (Hugging Face) user shape as submitters elsewhere in the API. */
function apiUser(config: Config, username: string): ApiUser {
  return { _id: hexId(`user:${username}`), name: username, user: username, fullname: username, avatarUrl: `${config.baseUrl}/avatars/${username}.svg`, type: 'user' };
}

export function toApiReply(config: Config, v: CommentView): ApiCommentReply {
  return {
    id: v.id,
    parentId: v.parentId,
    author: v.author ? apiUser(config, v.author.username) : null,
    text: v.text,
    html: v.html,
    deleted: v.state === 'deleted',
    hidden: v.state === 'hidden',
    edited: v.updatedAt !== null && v.state !== 'deleted',
    createdAt: isoDateTime(v.createdAt),
    updatedAt: v.updatedAt ? isoDateTime(v.updatedAt) : null,
    upvotes: v.upvotes,
    downvotes: v.downvotes,
    score: v.score,
    myVote: v.myVote,
  };
}

export function toApiComment(config: Config, v: CommentView): ApiComment {
  return { ...toApiReply(config, v), replies: v.replies.map((r) => toApiReply(config, r)) };
}

async function jsonBody(c: Context): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!type.startsWith('application/json')) throw new HTTPException(415, { message: 'Send a JSON body with Content-Type: application/json' });
  return c.req.json();
}

export function commentApiRoutes(deps: AppDeps): Hono {
  const { db, config } = deps;
  const app = new Hono();
  // The main API's CORS middleware is mounted after this module: give the read route its own.
  const readCors = cors({ origin: '*', allowMethods: ['GET', 'HEAD', 'OPTIONS'], maxAge: 86400 });

  async function paperIdOf(raw: string): Promise<string> {
    const parsed = parseArxivId(raw);
    if (!parsed) throw AppError.notFound(`"${raw}" is not an arXiv id`);
    const p = await db.kysely.selectFrom('papers').select('id').where('id', '=', parsed.id).executeTakeFirst();
    if (!p) throw AppError.notFound(`No paper ${parsed.id} is indexed here`);
    return p.id;
  }

  const list = async (c: Context, raw: string) => {
    const q = parseQuery(commentsQuery, c.req.query());
    const paperId = await paperIdOf(raw);
    const d = await loadDiscussion(db, paperId, currentUser(c), q.sort);
    const body: ApiCommentList = { comments: d.comments.map((v) => toApiComment(config, v)), numComments: d.numComments, sort: d.sort };
    // Answers differ per viewer (myVote, hidden text for moderators) and change with every post.
    c.header('cache-control', 'private, no-cache');
    return c.json(body);
  };

  const create = async (c: Context, raw: string) => {
    const paperId = await paperIdOf(raw);
    const input = parseBody(newCommentBody, await jsonBody(c));
    const viewer = currentUser(c);
    const id = await createComment(db, viewer, { paperId, text: input.text, parentId: input.parentId ?? null }, deps.now());
    c.header('location', `${config.baseUrl}/api/comments/${id}`);
    return c.json(toApiComment(config, await getCommentView(db, id, viewer)), 201);
  };

  for (const [pattern, rawOf] of [
    [`/api/papers/${NEW_ID}/comments`, (c: Context) => c.req.param('id')!],
    [`/api/papers/${OLD_ID}/comments`, (c: Context) => `${c.req.param('archive')}/${c.req.param('num')}`],
  ] as const) {
    app.get(pattern, readCors, (c) => list(c, rawOf(c)));
    app.post(pattern, (c) => create(c, rawOf(c)));
  }

  const cidOf = (c: Context) => Number(c.req.param('cid'));

  app.get(`/api/comments/${CID}`, readCors, async (c) => {
    const v = await getCommentView(db, cidOf(c), currentUser(c));
    // A deleted comment is gone from the API too, as it is from the page when it has no replies.
    if (v.state === 'deleted') throw AppError.notFound(`No comment ${v.id}`);
    c.header('cache-control', 'private, no-cache');
    return c.json(toApiReply(config, v));
  });

  app.patch(`/api/comments/${CID}`, async (c) => {
    const input = parseBody(editCommentBody, await jsonBody(c));
    const viewer = currentUser(c);
    await editComment(db, viewer, cidOf(c), input.text, deps.now());
    return c.json(toApiReply(config, await getCommentView(db, cidOf(c), viewer)));
  });

  app.delete(`/api/comments/${CID}`, async (c) => {
    await deleteComment(db, currentUser(c), cidOf(c), deps.now());
    return c.body(null, 204);
  });

  app.put(`/api/comments/${CID}/vote`, async (c) => {
    const input = parseBody(commentVoteBody, await jsonBody(c));
    const r = await voteOnComment(db, currentUser(c), cidOf(c), input.value, deps.now());
    return c.json({ id: cidOf(c), upvotes: r.upvotes, downvotes: r.downvotes, score: r.score, myVote: r.myVote });
  });

  return app;
}
