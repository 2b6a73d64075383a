import { z } from 'zod';
import { AppError } from '../../services/errors.ts';
import { COMMENT_MAX_CHARS, COMMENT_SORTS, normalizeCommentText } from '../../services/comments.ts';
import { apiSchemas, userSchema } from './schemas.ts';

/**
 * Comment API contract: request bodies are validated with these, responses are typed by them, and
 * the OpenAPI document (openapi.ts → commentPaths) is generated from them.
 */
function doc<T extends z.ZodType>(schema: T, description: string, id?: string): T {
  apiSchemas.add(schema, { description, ...(id ? { id } : {}) });
  return schema;
}

/**
 * The service's own rule decides (it normalises again when it stores), so forms and API share one
 * rule and one message. A refinement rather than a transform keeps the schema a plain string in
 * the OpenAPI document.
 */
const commentText = doc(
  z.string({ error: 'text is required: the comment, in Markdown' }).superRefine((s, ctx) => {
    try {
      normalizeCommentText(s);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  }),
  `The comment in Markdown, 1–${COMMENT_MAX_CHARS} characters. Rendered with a safe subset: no images or raw HTML.`,
);

export const newCommentBody = doc(
  z.object({
    text: commentText,
    parentId: doc(
      z.number({ error: 'parentId must be a comment id (an integer)' }).int({ error: 'parentId must be an integer' }).positive({ error: 'parentId must be positive' }).nullable().optional(),
      'Reply to this comment. Replies are one level deep: a reply to a reply joins the top-level thread.',
    ),
  }),
  'A new comment or reply.',
  'NewComment',
);

export const editCommentBody = doc(z.object({ text: commentText }), 'New text for your comment.', 'CommentEdit');

export const commentVoteBody = doc(
  z.object({ value: z.union([z.literal(1), z.literal(0), z.literal(-1)], { error: 'value must be 1 (up), -1 (down) or 0 (withdraw)' }) }),
  'Your vote on a comment.',
  'CommentVote',
);

export const commentsQuery = z.object({
  sort: doc(
    z.enum(COMMENT_SORTS, { error: 'sort must be one of top, new' }).default('top'),
    'top: Wilson lower bound (95 %) of the comment\'s up/down votes; new: newest first. Replies are always oldest first.',
  ),
});

const commentFields = {
  id: z.number().int(),
  parentId: doc(z.number().int().nullable(), 'The top-level comment this replies to; null for top-level comments.'),
  author: doc(userSchema.nullable(), 'Null once the comment is deleted.'),
  text: doc(z.string(), 'Markdown source; empty if deleted, or hidden and you are neither its author nor a moderator.'),
  html: doc(z.string(), 'The text rendered and sanitised.'),
  deleted: doc(z.boolean(), 'Deleted by its author; kept only as the parent of replies.'),
  hidden: doc(z.boolean(), 'Hidden by a moderator.'),
  edited: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: doc(z.iso.datetime().nullable(), 'When the text was last edited; null if never.'),
  upvotes: z.number().int(),
  downvotes: z.number().int(),
  score: doc(z.number(), 'Wilson lower bound of upvotes / (upvotes + downvotes) at 95 %: what `sort=top` orders by.'),
  myVote: doc(z.number().int(), 'Your vote: 1, -1, or 0 (also 0 when anonymous).'),
};

export const commentReplySchema = doc(z.object(commentFields), 'A reply (replies have no replies).', 'CommentReply');

export const commentSchema = doc(
  z.object({ ...commentFields, replies: z.array(commentReplySchema) }),
  'A comment with its replies, oldest first.',
  'Comment',
);

export const commentListSchema = doc(
  z.object({
    comments: z.array(commentSchema),
    numComments: doc(z.number().int(), 'Visible comments, replies included: the paper\'s numComments.'),
    sort: z.enum(COMMENT_SORTS),
  }),
  'The discussion of a paper.',
  'CommentList',
);

export const commentVoteResultSchema = doc(
  z.object({ id: z.number().int(), upvotes: z.number().int(), downvotes: z.number().int(), score: z.number(), myVote: z.number().int() }),
  'A comment\'s counts after your vote.',
  'CommentVoteResult',
);

export type ApiComment = z.output<typeof commentSchema>;
export type ApiCommentReply = z.output<typeof commentReplySchema>;
export type ApiCommentList = z.output<typeof commentListSchema>;

/** Parses a JSON body; the first issue becomes a 400 that names its field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const param = issue.path.length > 0 ? String(issue.path[0]) : undefined;
  const message = param && !issue.message.includes(param) ? `${param}: ${issue.message}` : issue.message;
  throw AppError.badRequest(message, param);
}

type Json = Record<string, unknown>;

/** OpenAPI paths for comments; `ref` and `problem` come from openapi.ts so components stay shared. */
export function commentPaths(ref: (s: z.ZodType) => Json, problem: (d: string) => Json, idParam: Json): Record<string, Json> {
  const json = (s: z.ZodType) => ({ content: { 'application/json': { schema: ref(s) } } });
  const cid = { name: 'cid', in: 'path', required: true, description: 'Comment id.', schema: { type: 'integer' } };
  const writeErrors = {
    400: problem('The body is invalid; `detail` and `param` name the field.'),
    401: problem('Not signed in: send `Authorization: Bearer <token>` (or a session cookie with X-CSRF-Token).'),
    403: problem('Banned, not your comment, or (session requests) the CSRF check failed.'),
    404: problem('No such paper or comment.'),
    429: problem('Too many comments or votes; see Retry-After.'),
  };
  return {
    '/api/papers/{id}/comments': {
      get: {
        operationId: 'listComments',
        summary: 'The discussion of a paper',
        parameters: [idParam, { name: 'sort', in: 'query', required: false, schema: { type: 'string', enum: [...COMMENT_SORTS], default: 'top' } }],
        responses: { 200: { description: 'Comments, top-level in the chosen order.', ...json(commentListSchema) }, 400: problem('Bad sort.'), 404: problem('No such paper.') },
      },
      post: {
        operationId: 'createComment',
        summary: 'Comment on a paper, or reply to a comment',
        parameters: [idParam],
        requestBody: { required: true, ...json(newCommentBody) },
        responses: { 201: { description: 'The new comment.', ...json(commentSchema) }, ...writeErrors },
      },
    },
    '/api/comments/{cid}': {
      get: { operationId: 'getComment', summary: 'One comment (without replies)', parameters: [cid], responses: { 200: { description: 'The comment.', ...json(commentReplySchema) }, 404: problem('No such comment.') } },
      patch: { operationId: 'editComment', summary: 'Edit your comment', parameters: [cid], requestBody: { required: true, ...json(editCommentBody) }, responses: { 200: { description: 'The edited comment.', ...json(commentReplySchema) }, ...writeErrors } },
      delete: { operationId: 'deleteComment', summary: 'Delete your comment', parameters: [cid], responses: { 204: { description: 'Deleted.' }, ...writeErrors } },
    },
    '/api/comments/{cid}/vote': {
      put: { operationId: 'voteComment', summary: 'Vote on a comment', parameters: [cid], requestBody: { required: true, ...json(commentVoteBody) }, responses: { 200: { description: 'New counts.', ...json(commentVoteResultSchema) }, ...writeErrors } },
    },
  };
}
