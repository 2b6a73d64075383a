/**
 * The upvote button, and what a card needs to know about who is looking. Progressive
 * enhancement: the button is a plain form POST that works without JavaScript (the server
 * redirects back); UPVOTE_SCRIPT, when present, sends the same form with fetch and updates the
 * count in place. Signed-out visitors get a link to log in instead of a form, so that anonymous
 * pages carry no CSRF token and stay cacheable.
 */
import type { Context } from 'hono';
import { raw } from 'hono/html';
import type { AppDeps } from '../deps.ts';
import type { Paper } from '../../domain/paper.ts';
import { canEdit } from '../../domain/user.ts';
import { votedAmong } from '../../storage/votes-repo.ts';
import { CSRF_FIELD, csrfToken, currentUser } from '../middleware/auth.ts';
import { paperPath } from './urls.ts';

export interface CardContext {
  /** The signed-in viewer's CSRF token; null when signed out. */
  csrf: string | null;
  /** Papers on the page the viewer has upvoted. */
  voted: ReadonlySet<string>;
  /** Path and query of the page being rendered: "log in to upvote" comes back here. */
  here: string;
  /** Who imports are attributed to ("featured by <editor>"). */
  editorName: string;
  /** The viewer is an editor or admin. */
  canEdit: boolean;
  /** Show move up/down buttons (an editor on a day's feed). */
  reorder: boolean;
}

/** Loads the viewer's votes on `paperIds` in one query. */
export async function cardContext(c: Context, deps: AppDeps, paperIds: readonly string[], opts: { reorder?: boolean } = {}): Promise<CardContext> {
  const user = currentUser(c);
  const url = new URL(c.req.url);
  const editor = !!user && canEdit(user.role);
  return {
    csrf: user ? csrfToken(c, deps) : null,
    voted: user ? await votedAmong(deps.db, user.id, paperIds) : new Set(),
    here: url.pathname + url.search,
    editorName: deps.config.editorName,
    canEdit: editor,
    reorder: editor && !!opts.reorder,
  };
}

/** The fragment id of a paper's card, so that a vote without JavaScript lands back on it. */
export function cardAnchor(paperId: string): string {
  return `paper-${paperId.replace(/[^A-Za-z0-9.-]/g, '-')}`;
}

export function loginPath(next: string): string {
  return `/login?next=${encodeURIComponent(next)}`;
}

function plural(n: number): string {
  return n === 1 ? 'upvote' : 'upvotes';
}

export function UpvoteButton({ paper, ctx }: { paper: Paper; ctx: CardContext }) {
  const n = paper.upvotes;
  if (!ctx.csrf) {
    return (
      <a class="vote" href={loginPath(ctx.here)} title="Log in to upvote">
        <span aria-hidden="true">▲</span>
        <span class="n">{n}</span>
        <span class="visually-hidden">
          {' '}
          {plural(n)}. Log in to upvote
        </span>
      </a>
    );
  }
  const pressed = ctx.voted.has(paper.id);
  return (
    <form class="upvote" method="post" action={`${paperPath(paper.id)}/upvote`}>
      <input type="hidden" name={CSRF_FIELD} value={ctx.csrf} />
      {/* What a click asks for, as the page shows it: a stale page cannot flip a vote twice. */}
      <input type="hidden" name="vote" value={pressed ? 'down' : 'up'} />
      <button type="submit" class="vote" aria-pressed={pressed ? 'true' : 'false'} title={pressed ? 'Remove your upvote' : 'Upvote'}>
        <span aria-hidden="true">▲</span>
        <span class="n">{n}</span>
        <span class="visually-hidden"> {plural(n)}. Upvote</span>
      </button>
    </form>
  );
}

/** Editors' move up/down buttons for a card on a day's feed. */
export function ReorderButtons({ paper, ctx }: { paper: Paper; ctx: CardContext }) {
  if (!ctx.reorder || !ctx.csrf) return null;
  const action = `${paperPath(paper.id)}/move`;
  return (
    <div class="reorder" aria-label="Editor: order">
      {(['up', 'down'] as const).map((dir) => (
        <form method="post" action={action}>
          <input type="hidden" name={CSRF_FIELD} value={ctx.csrf!} />
          <input type="hidden" name="direction" value={dir} />
          <button type="submit" class="small-button" aria-label={`Move ${dir}: ${paper.title}`}>
            {dir === 'up' ? '↑ Up' : '↓ Down'}
          </button>
        </form>
      ))}
    </div>
  );
}

/**
 * Intercepts upvote forms (event delegation: once per page is enough, and a guard makes a second
 * copy harmless). On any failure it falls back to submitting the form normally, so the server's
 * answer (a login page, a 429 page) is shown exactly as without JavaScript.
 */
const SCRIPT = `(function(){if(window.dpUpvote)return;window.dpUpvote=1;
document.addEventListener('submit',function(e){var f=e.target;if(!(f instanceof HTMLFormElement)||!f.classList.contains('upvote'))return;
e.preventDefault();var b=f.querySelector('button');if(b.disabled)return;b.disabled=true;
fetch(f.action,{method:'POST',body:new URLSearchParams(new FormData(f)),credentials:'same-origin',
headers:{'Accept':'application/json','X-CSRF-Token':f.elements['${CSRF_FIELD}'].value}})
.then(function(r){if(!r.ok)throw new Error(String(r.status));return r.json();})
.then(function(d){b.setAttribute('aria-pressed',String(d.upvoted));b.title=d.upvoted?'Remove your upvote':'Upvote';
f.querySelector('.n').textContent=String(d.upvotes);f.elements['vote'].value=d.upvoted?'down':'up';b.disabled=false;})
.catch(function(){b.disabled=false;HTMLFormElement.prototype.submit.call(f);});});})();`;

/** Renders the script only for signed-in viewers (anonymous pages have no forms and no script). */
export function UpvoteScript({ ctx }: { ctx: CardContext }) {
  if (!ctx.csrf) return null;
  // A constant of this module, never data.
  return <script>{raw(SCRIPT)}</script>;
}
