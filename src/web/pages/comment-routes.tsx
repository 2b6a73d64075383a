/**
 * Comment pages and form actions (the JSON API is in ../api/comments.ts):
 *
 *   POST /papers/<id>/comments          text, parentId?  → 303 /papers/<id>#comment-<new>
 *   GET  /comments/<cid>/edit           edit form (author only)
 *   POST /comments/<cid>/edit|delete    author only
 *   POST /comments/<cid>/hide|unhide    admins
 *   POST /comments/<cid>/vote           value = 1 | -1 | 0
 *   POST /u/<username>/ban|unban        admins; `next` = where to go back to
 *   GET  /admin/comments                moderation: hidden comments, banned users
 *
 * CSRF is checked by the auth middleware before any of these run. Services enforce the rules;
 * handlers only translate forms and choose where to redirect.
 */
import { Hono, type Context } from 'hono';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../../services/errors.ts';
import { isAdmin } from '../../domain/user.ts';
import { parseArxivId } from '../../domain/arxiv-id.ts';
import { renderCommentMarkdown } from '../../domain/markdown.ts';
import {
  commentForEdit, createComment, deleteComment, editComment, loadDiscussion, parseCommentSort, setCommentHiddenByAdmin, setUserBanned, voteOnComment,
} from '../../services/comments.ts';
import { listBannedUsers, listHiddenComments } from '../../storage/comments-repo.ts';
import { csrfToken, currentUser } from '../middleware/auth.ts';
import { CommentsSection, loginToCommentPath } from './comments-view.tsx';
import { CommentFormPage, ModerationPage } from './comments-pages.tsx';
import { paperPath } from './urls.ts';
import { NEW_ID, OLD_ID, commentApiRoutes } from '../api/comments.ts';

/**
 * The `<section id="comments">` of a paper page. A signed-in viewer's page carries CSRF tokens and
 * personal controls: no shared cache may keep it, and the browser must revalidate so that the 303
 * after a post (which lands on this very page) shows the new comment. Anonymous pages keep the
 * page's public caching (the account middleware adds Vary: Cookie, so logging in refetches).
 */
export async function renderCommentsSection(c: Context, deps: AppDeps, paperId: string) {
  const viewer = currentUser(c);
  const sort = parseCommentSort(c.req.query('sort'));
  const discussion = await loadDiscussion(deps.db, paperId, viewer, sort);
  if (viewer) c.header('cache-control', 'private, no-cache');
  const csrf = viewer ? csrfToken(c, deps) : null;
  return <CommentsSection discussion={discussion} ctx={{ paperId, viewer, csrf, sort }} />;
}

/** `/papers/<id>…#comment-<cid>`, keeping `?sort=new` if the form carried it. */
function backTo(paperId: string, anchor: string, sort?: unknown): string {
  return `${paperPath(paperId)}${sort === 'new' ? '?sort=new' : ''}#${anchor}`;
}

/** Only same-site paths: `next` must not turn a ban button into an open redirect. */
function safeNext(next: unknown, fallback: string): string {
  return typeof next === 'string' && /^\/(?![/\\])[^\s\\]*$/.test(next) ? next : fallback;
}

function formString(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function commentIdParam(c: Context): number {
  const n = Number(c.req.param('cid'));
  if (!Number.isSafeInteger(n) || n <= 0) throw AppError.notFound('No such comment');
  return n;
}

export function commentRoutes(deps: AppDeps): Hono {
  const { db, config } = deps;
  const app = new Hono();
  const CID = ':cid{[0-9]{1,15}}';

  const createFromForm = async (c: Context, raw: string) => {
    const parsed = parseArxivId(raw);
    if (!parsed) throw AppError.notFound(`"${raw}" is not an arXiv id`);
    const paperId = parsed.id;
    const viewer = currentUser(c);
    if (!viewer) return c.redirect(loginToCommentPath(paperId), 303);
    const body = await c.req.parseBody();
    const text = formString(body.text);
    const rawParent = formString(body.parentId).trim();
    let parentId: number | undefined;
    if (rawParent !== '') {
      parentId = Number(rawParent);
      if (!Number.isSafeInteger(parentId) || parentId <= 0) throw AppError.badRequest('parentId must be a comment id', 'parentId');
    }
    try {
      const id = await createComment(db, viewer, { paperId, text, parentId }, deps.now());
      return c.redirect(backTo(paperId, `comment-${id}`, body.sort), 303);
    } catch (err) {
      // A refused text comes back with the user's words intact, not on a bare error page.
      if (!(err instanceof AppError) || err.kind !== 'bad_request' || err.details.param !== 'text') throw err;
      return c.html(
        <CommentFormPage config={config} title={parentId ? 'Reply' : 'Add a comment'} paperId={paperId} csrf={csrfToken(c, deps)} text={text} error={err.message} parentId={parentId} />,
        400,
      );
    }
  };
  app.post(`/papers/${NEW_ID}/comments`, (c) => createFromForm(c, c.req.param('id')!));
  app.post(`/papers/${OLD_ID}/comments`, (c) => createFromForm(c, `${c.req.param('archive')}/${c.req.param('num')}`));

  app.get(`/comments/${CID}/edit`, async (c) => {
    const id = commentIdParam(c);
    const viewer = currentUser(c);
    if (!viewer) return c.redirect(`/login?next=${encodeURIComponent(`/comments/${id}/edit`)}`, 303);
    const row = await commentForEdit(db, viewer, id);
    c.header('cache-control', 'private, no-store');
    return c.html(
      <CommentFormPage
        config={config}
        title="Edit your comment"
        paperId={row.paper_id}
        csrf={csrfToken(c, deps)}
        text={row.body}
        action={`/comments/${id}/edit`}
        submit="Save"
        previewHtml={renderCommentMarkdown(row.body)}
      />,
    );
  });

  app.post(`/comments/${CID}/edit`, async (c) => {
    const id = commentIdParam(c);
    const body = await c.req.parseBody();
    const text = formString(body.text);
    try {
      const row = await editComment(db, currentUser(c), id, text, deps.now());
      return c.redirect(backTo(row.paper_id, `comment-${id}`, body.sort), 303);
    } catch (err) {
      if (!(err instanceof AppError) || err.kind !== 'bad_request') throw err;
      const row = await commentForEdit(db, currentUser(c), id);
      return c.html(
        <CommentFormPage config={config} title="Edit your comment" paperId={row.paper_id} csrf={csrfToken(c, deps)} text={text} error={err.message} action={`/comments/${id}/edit`} submit="Save" />,
        400,
      );
    }
  });

  app.post(`/comments/${CID}/delete`, async (c) => {
    const row = await deleteComment(db, currentUser(c), commentIdParam(c), deps.now());
    const body = await c.req.parseBody();
    return c.redirect(backTo(row.paper_id, 'comments', body.sort), 303);
  });

  for (const [verb, hidden] of [['hide', true], ['unhide', false]] as const) {
    app.post(`/comments/${CID}/${verb}`, async (c) => {
      const id = commentIdParam(c);
      const row = await setCommentHiddenByAdmin(db, currentUser(c), id, hidden, deps.now());
      const body = await c.req.parseBody();
      return c.redirect(safeNext(body.next, backTo(row.paper_id, `comment-${id}`, body.sort)), 303);
    });
  }

  app.post(`/comments/${CID}/vote`, async (c) => {
    const id = commentIdParam(c);
    const body = await c.req.parseBody();
    const value = Number(formString(body.value));
    if (value !== 1 && value !== -1 && value !== 0) throw AppError.badRequest('value must be 1 (up), -1 (down) or 0 (none)', 'value');
    const r = await voteOnComment(db, currentUser(c), id, value, deps.now());
    return c.redirect(backTo(r.paperId, `comment-${id}`, body.sort), 303);
  });

  for (const [verb, banned] of [['ban', true], ['unban', false]] as const) {
    app.post(`/u/:username{[A-Za-z0-9_-]{1,64}}/${verb}`, async (c) => {
      const user = await setUserBanned(db, currentUser(c), c.req.param('username')!, banned, deps.now());
      const body = await c.req.parseBody();
      return c.redirect(safeNext(body.next, `/u/${encodeURIComponent(user.username)}`), 303);
    });
  }

  app.get('/admin/comments', async (c) => {
    const viewer = currentUser(c);
    if (!viewer) return c.redirect(`/login?next=${encodeURIComponent('/admin/comments')}`, 303);
    if (!isAdmin(viewer.role)) throw new AppError('forbidden', 'Only admins can moderate');
    const [hidden, banned] = await Promise.all([listHiddenComments(db), listBannedUsers(db)]);
    c.header('cache-control', 'private, no-store');
    return c.html(<ModerationPage config={config} csrf={csrfToken(c, deps)} hidden={hidden} banned={banned} />);
  });

  app.route('/', commentApiRoutes(deps));
  return app;
}
