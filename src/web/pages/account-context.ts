/**
 * Who is looking at a page, for the site header. The header is chrome on every page, so rather
 * than threading the user through every page component (and forgetting one), a middleware keeps
 * the request in AsyncLocalStorage for the duration of the handler and `Layout` asks for the
 * viewer while it renders (hono/jsx renders components synchronously inside `c.html`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppDeps } from '../deps.ts';
import type { User } from '../../domain/user.ts';
import { authVia, csrfToken, currentUser } from '../middleware/auth.ts';

export interface Viewer {
  user: User | null;
  /** The CSRF token for the header's logout form; null when signed out (no form to protect). */
  csrf: string | null;
  /** The current path and query, so that "Log in" can come back here. */
  path: string;
}

const store = new AsyncLocalStorage<{ c: Context; deps: AppDeps }>();

/** The viewer of the request being rendered; anonymous outside a request (or before this middleware). */
export function currentViewer(): Viewer {
  const s = store.getStore();
  if (!s) return { user: null, csrf: null, path: '/' };
  const user = currentUser(s.c);
  const url = new URL(s.c.req.url);
  // Only session users get a logout form: a Bearer request has no cookie to end or protect.
  const csrf = user && authVia(s.c) === 'session' ? csrfToken(s.c, s.deps) : null;
  return { user, csrf, path: url.pathname + url.search };
}

/**
 * Installs the store, and keeps personalised pages out of shared caches: pages that name the
 * signed-in user become private, and public HTML varies by Cookie so that a browser does not show
 * its cached signed-out copy of a page right after logging in.
 */
export function viewerMiddleware(deps: AppDeps): MiddlewareHandler {
  return async (c, next) => {
    await store.run({ c, deps }, next);
    const cc = c.res.headers.get('cache-control') ?? '';
    if (!/\bpublic\b/.test(cc)) return;
    if (currentUser(c)) {
      c.res.headers.set('cache-control', 'private, no-cache');
    } else if ((c.res.headers.get('content-type') ?? '').startsWith('text/html')) {
      c.res.headers.append('vary', 'Cookie');
    }
  };
}
