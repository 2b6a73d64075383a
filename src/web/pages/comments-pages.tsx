/** Stand-alone comment pages: the edit form, a failed post with its text kept, and moderation. */
import { raw } from 'hono/html';
import type { Config } from '../../config.ts';
import { renderCommentMarkdown } from '../../domain/markdown.ts';
import type { CommentWithAuthor } from '../../storage/comments-repo.ts';
import { CSRF_FIELD } from '../middleware/auth.ts';
import { Layout } from './layout.tsx';
import { CommentForm, formatWhen, userPath } from './comments-view.tsx';
import { paperPath } from './urls.ts';

export interface CommentFormPageProps {
  config: Config;
  title: string;
  paperId: string;
  csrf: string;
  text: string;
  error?: string;
  action?: string;
  parentId?: number;
  submit?: string;
  /** The current rendering, shown above an edit form. */
  previewHtml?: string;
}

/** One form on its own page: editing, or retrying a post the server refused (text preserved). */
export function CommentFormPage(p: CommentFormPageProps) {
  const back = `${paperPath(p.paperId)}#comments`;
  return (
    <Layout config={p.config} meta={{ title: p.title, noindex: true }}>
      <section class="notice comment-page" aria-labelledby="comment-page-title">
        <h1 id="comment-page-title">{p.title}</h1>
        <p class="page-sub">
          On <a href={back}>arXiv:{p.paperId}</a>
        </p>
        {p.error ? (
          <p class="form-error" role="alert">
            {p.error}
          </p>
        ) : null}
        {p.previewHtml ? (
          <div class="comment-card">
            <div class="comment-body">{raw(p.previewHtml)}</div>
          </div>
        ) : null}
        <CommentForm paperId={p.paperId} csrf={p.csrf} parentId={p.parentId} text={p.text} action={p.action} submit={p.submit} />
        <p>
          <a href={back}>Cancel and go back to the discussion</a>
        </p>
      </section>
    </Layout>
  );
}

function ModButton({ action, label, csrf, next }: { action: string; label: string; csrf: string; next?: string }) {
  return (
    <form method="post" action={action} class="inline-form">
      <input type="hidden" name={CSRF_FIELD} value={csrf} />
      {next ? <input type="hidden" name="next" value={next} /> : null}
      <button type="submit" class="link-button">
        {label}
      </button>
    </form>
  );
}

export interface ModerationProps {
  config: Config;
  csrf: string;
  hidden: CommentWithAuthor[];
  banned: { username: string; banned_at: string | null }[];
}

/** `/admin/comments`: everything a moderator may want to undo. */
export function ModerationPage({ config, csrf, hidden, banned }: ModerationProps) {
  return (
    <Layout config={config} meta={{ title: 'Moderation', noindex: true }}>
      <div class="page-head">
        <h1>Moderation</h1>
      </div>
      <section class="comments" aria-labelledby="hidden-title">
        <h2 id="hidden-title">Hidden comments ({hidden.length})</h2>
        {hidden.length === 0 ? <p class="page-sub">No hidden comments.</p> : null}
        <ol class="comment-list">
          {hidden.map((h) => (
            <li class="comment is-hidden" id={`comment-${h.id}`}>
              <article class="comment-card">
                <p class="comment-meta">
                  <a href={userPath(h.username)}>{h.username}</a> on <a href={`${paperPath(h.paper_id)}#comment-${h.id}`}>arXiv:{h.paper_id}</a> ·{' '}
                  <time datetime={h.created_at}>{formatWhen(h.created_at)}</time> · hidden <time datetime={h.hidden_at ?? ''}>{formatWhen(h.hidden_at ?? '')}</time>
                </p>
                <div class="comment-body">{raw(renderCommentMarkdown(h.body))}</div>
                <div class="comment-actions">
                  <ModButton action={`/comments/${h.id}/unhide`} label="Unhide" csrf={csrf} />
                </div>
              </article>
            </li>
          ))}
        </ol>
      </section>
      <section class="comments" aria-labelledby="banned-title">
        <h2 id="banned-title">Banned users ({banned.length})</h2>
        {banned.length === 0 ? <p class="page-sub">Nobody is banned.</p> : null}
        <ul class="banned-list">
          {banned.map((u) => (
            <li>
              <a href={userPath(u.username)}>{u.username}</a> · banned {formatWhen(u.banned_at ?? '')}{' '}
              <ModButton action={`${userPath(u.username)}/unban`} label="Unban" csrf={csrf} next="/admin/comments" />
            </li>
          ))}
        </ul>
      </section>
    </Layout>
  );
}
