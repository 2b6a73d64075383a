/**
 * The discussion on a paper page: the comment list, per-comment actions, and the forms. Plain
 * HTML forms only (a `<details>` toggles each reply form), so everything works without JavaScript.
 * Comment bodies are inserted raw because domain/markdown.ts sanitised them; nothing else is.
 */
import { raw } from 'hono/html';
import type { User } from '../../domain/user.ts';
import { formatDay } from '../../domain/dates.ts';
import { COMMENT_MAX_CHARS, type CommentSort, type CommentView, type Discussion } from '../../services/comments.ts';
import { CSRF_FIELD } from '../middleware/auth.ts';
import { paperPath } from './urls.ts';

export interface ViewCtx {
  paperId: string;
  viewer: User | null;
  /** Null for anonymous viewers: they get no forms, so no CSRF cookie is minted for them. */
  csrf: string | null;
  sort: CommentSort;
}

/** "Mar 12, 2025, 14:05 UTC". */
export function formatWhen(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const s = d.toISOString();
  return `${formatDay(s.slice(0, 10))}, ${s.slice(11, 16)} UTC`;
}

export function userPath(username: string): string {
  return `/u/${encodeURIComponent(username)}`;
}

export function loginToCommentPath(paperId: string): string {
  return `/login?next=${paperPath(paperId)}%23comments`;
}

function Csrf({ token }: { token: string }) {
  return <input type="hidden" name={CSRF_FIELD} value={token} />;
}

/** Keeps the reader's sort order across the redirect that follows an action. */
function SortField({ sort }: { sort: CommentSort }) {
  return sort === 'new' ? <input type="hidden" name="sort" value="new" /> : null;
}

interface ActionProps {
  action: string;
  label: string;
  ctx: ViewCtx;
  extra?: Record<string, string>;
  cls?: string;
  /** For actions that cannot be undone by a click: the button sits behind a `<details>` toggle. */
  confirm?: string;
}

function ActionButton(p: ActionProps) {
  if (!p.confirm) return <ActionForm {...p} />;
  return (
    <details class="comment-confirm">
      <summary>{p.label}</summary>
      <ActionForm {...p} label={p.confirm} cls="danger-button" />
    </details>
  );
}

function ActionForm({ action, label, ctx, extra, cls }: ActionProps) {
  return (
    <form method="post" action={action} class="inline-form">
      <Csrf token={ctx.csrf ?? ''} />
      <SortField sort={ctx.sort} />
      {Object.entries(extra ?? {}).map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
      <button type="submit" class={cls ?? 'link-button'}>
        {label}
      </button>
    </form>
  );
}

function Votes({ v, ctx }: { v: CommentView; ctx: ViewCtx }) {
  const label = `${v.upvotes} up, ${v.downvotes} down`;
  if (!v.canVote || !ctx.csrf) {
    return (
      <span class="comment-votes" title={label}>
        <span aria-hidden="true">▲</span> {v.upvotes} <span aria-hidden="true">▼</span> {v.downvotes}
        <span class="visually-hidden"> ({label})</span>
      </span>
    );
  }
  // Clicking the vote you already cast withdraws it.
  const button = (value: 1 | -1, sign: string, n: number, name: string) => (
    <form method="post" action={`/comments/${v.id}/vote`} class="inline-form">
      <Csrf token={ctx.csrf!} />
      <SortField sort={ctx.sort} />
      <input type="hidden" name="value" value={String(v.myVote === value ? 0 : value)} />
      <button type="submit" class="comment-vote" aria-pressed={v.myVote === value ? 'true' : 'false'} title={v.myVote === value ? `Withdraw your ${name}` : name}>
        <span aria-hidden="true">{sign}</span> {n}
        <span class="visually-hidden"> {name}s</span>
      </button>
    </form>
  );
  return (
    <span class="comment-votes">
      {button(1, '▲', v.upvotes, 'upvote')}
      {button(-1, '▼', v.downvotes, 'downvote')}
    </span>
  );
}

function CommentBody({ v }: { v: CommentView }) {
  if (v.state === 'deleted') return <p class="comment-placeholder">[deleted]</p>;
  if (v.state === 'hidden' && !v.html) return <p class="comment-placeholder">[hidden by a moderator]</p>;
  return (
    <>
      {v.state === 'hidden' ? <p class="comment-flag">Hidden by a moderator: only its author and moderators see this text.</p> : null}
      <div class="comment-body">{raw(v.html)}</div>
    </>
  );
}

function CommentActions({ v, ctx }: { v: CommentView; ctx: ViewCtx }) {
  const back = `${paperPath(ctx.paperId)}#comment-${v.id}`;
  return (
    <div class="comment-actions">
      {v.state === 'visible' || v.upvotes + v.downvotes > 0 ? <Votes v={v} ctx={ctx} /> : null}
      {v.canEdit ? <a href={`/comments/${v.id}/edit`}>Edit</a> : null}
      {v.canDelete && ctx.csrf ? <ActionButton action={`/comments/${v.id}/delete`} label="Delete" confirm="Yes, delete it" ctx={ctx} /> : null}
      {v.canModerate && ctx.csrf ? (
        <ActionButton action={`/comments/${v.id}/${v.state === 'hidden' ? 'unhide' : 'hide'}`} label={v.state === 'hidden' ? 'Unhide' : 'Hide'} ctx={ctx} />
      ) : null}
      {v.canModerate && ctx.csrf && v.author && !v.mine ? (
        <ActionButton
          action={`${userPath(v.author.username)}/${v.author.banned ? 'unban' : 'ban'}`}
          label={v.author.banned ? `Unban ${v.author.username}` : `Ban ${v.author.username}`}
          confirm={v.author.banned ? undefined : `Yes, ban ${v.author.username}`}
          ctx={ctx}
          extra={{ next: back }}
        />
      ) : null}
    </div>
  );
}

function CommentItem({ v, ctx }: { v: CommentView; ctx: ViewCtx }) {
  const edited = v.updatedAt !== null && v.state === 'visible';
  return (
    <li id={`comment-${v.id}`} class={`comment is-${v.state}`}>
      <article class="comment-card" aria-label={v.author ? `Comment by ${v.author.username}` : 'Deleted comment'}>
        <p class="comment-meta">
          {v.author ? <a class="comment-author" href={userPath(v.author.username)}>{v.author.username}</a> : <span class="comment-author">[deleted]</span>}
          {v.author?.banned && ctx.viewer?.role === 'admin' ? <span class="comment-badge">banned</span> : null}
          {' · '}
          <a class="comment-time" href={`#comment-${v.id}`}>
            <time datetime={v.createdAt}>{formatWhen(v.createdAt)}</time>
          </a>
          {edited ? (
            <span class="comment-edited" title={`Edited ${formatWhen(v.updatedAt!)}`}>
              {' · edited'}
            </span>
          ) : null}
        </p>
        <CommentBody v={v} />
        <CommentActions v={v} ctx={ctx} />
      </article>
      {v.replies.length > 0 ? (
        <ol class="comment-replies" aria-label={`Replies to comment ${v.id}`}>
          {v.replies.map((r) => (
            <CommentItem v={r} ctx={ctx} />
          ))}
        </ol>
      ) : null}
      {v.canReply && ctx.csrf ? (
        <details class="comment-reply">
          <summary>Reply</summary>
          <CommentForm paperId={ctx.paperId} csrf={ctx.csrf} parentId={v.id} />
        </details>
      ) : null}
    </li>
  );
}

export function CommentForm({ paperId, csrf, parentId, text, action, submit }: { paperId: string; csrf: string; parentId?: number; text?: string; action?: string; submit?: string }) {
  const fieldId = parentId ? `reply-text-${parentId}` : 'comment-text';
  return (
    <form method="post" action={action ?? `${paperPath(paperId)}/comments`} class="comment-form">
      <Csrf token={csrf} />
      {parentId ? <input type="hidden" name="parentId" value={String(parentId)} /> : null}
      <label for={fieldId}>{parentId ? 'Your reply' : 'Add a comment'}</label>
      {/* The leading newline is eaten by the HTML parser, so text starting with one survives. */}
      <textarea id={fieldId} name="text" rows={parentId ? 3 : 5} required maxlength={COMMENT_MAX_CHARS}>
        {`\n${text ?? ''}`}
      </textarea>
      <p class="comment-hint">Markdown: **bold**, _italic_, `code`, [links](https://…), &gt; quotes and lists. No images or HTML.</p>
      <button type="submit" class="button">
        {submit ?? (parentId ? 'Reply' : 'Comment')}
      </button>
    </form>
  );
}

function SortLinks({ paperId, sort }: { paperId: string; sort: CommentSort }) {
  const path = paperPath(paperId);
  const link = (s: CommentSort, label: string) => (
    <a href={`${path}?sort=${s}#comments`} aria-current={sort === s ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <nav class="segmented comment-sort" aria-label="Sort comments">
      {link('top', 'Top')}
      {link('new', 'New')}
    </nav>
  );
}

function Composer({ ctx }: { ctx: ViewCtx }) {
  if (!ctx.viewer) {
    return (
      <p class="comment-login">
        <a class="button" href={loginToCommentPath(ctx.paperId)}>
          Log in to comment
        </a>
      </p>
    );
  }
  if (ctx.viewer.bannedAt) return <p class="comment-login">Your account is banned: you can read the discussion but not take part.</p>;
  return <CommentForm paperId={ctx.paperId} csrf={ctx.csrf ?? ''} />;
}

export function CommentsSection({ discussion, ctx }: { discussion: Discussion; ctx: ViewCtx }) {
  const n = discussion.numComments;
  return (
    <section id="comments" class="comments" aria-labelledby="comments-title">
      <div class="comments-head">
        <h2 id="comments-title">
          {n === 0 ? 'Comments' : `${n} comment${n === 1 ? '' : 's'}`}
        </h2>
        {discussion.comments.length > 1 ? <SortLinks paperId={ctx.paperId} sort={discussion.sort} /> : null}
      </div>
      {discussion.comments.length === 0 ? (
        <p class="page-sub">No comments yet. Start the discussion!</p>
      ) : (
        <ol class="comment-list">
          {discussion.comments.map((v) => (
            <CommentItem v={v} ctx={ctx} />
          ))}
        </ol>
      )}
      <Composer ctx={ctx} />
    </section>
  );
}
