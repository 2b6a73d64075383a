import { Hono } from 'hono';
import type { AppDeps } from './deps.ts';
import { errorHandler, respondWithProblem } from './errors.ts';
import { apiRoutes } from './api/index.ts';
import { searchApiRoutes } from './api/search.ts';
import { pageRoutes, renderErrorHtml } from './pages/index.tsx';
import { authMiddleware } from './middleware/auth.ts';
import { bodyGuard } from './middleware/body-guard.ts';
import { pageCache } from './middleware/page-cache.ts';
import { accountRoutes } from './pages/account-routes.tsx';
import { viewerMiddleware } from './pages/account-context.ts';
import { communityRoutes } from './pages/community-routes.tsx';
import { commentRoutes } from './pages/comment-routes.tsx';
import { mailRoutes } from './pages/mail-routes.tsx';

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.onError(errorHandler(renderErrorHtml(deps)));
  app.notFound((c) => respondWithProblem(c, 404, `No page at ${c.req.path}`, {}, renderErrorHtml(deps)));

  // Oversized (413) and unparseable form (400) bodies are refused before anything reads them.
  app.use('*', bodyGuard());
  // One-click unsubscribe (RFC 8058) POSTs come from mail clients with no cookie; the signed token
  // in the URL is their proof.
  app.use('*', authMiddleware(deps, { csrfExempt: (path) => path === '/unsubscribe' }));
  // Lets the page header know who is looking, on every page including errors.
  app.use('*', viewerMiddleware(deps));
  // Anonymous public pages are served from memory until the data changes (inside the viewer
  // middleware, which still adds Vary: Cookie to every response).
  app.use('*', pageCache(deps));

  app.get('/healthz', async (c) => {
    await deps.db.kysely.selectFrom('settings').select('key').limit(1).execute();
    return c.json({ status: 'ok' });
  });
  app.route('/', accountRoutes(deps));
  app.route('/', communityRoutes(deps));
  app.route('/', commentRoutes(deps));
  app.route('/', apiRoutes(deps));
  app.route('/', searchApiRoutes(deps)); // after apiRoutes: its /api/* CORS middleware runs first
  app.route('/', mailRoutes(deps));
  app.route('/', pageRoutes(deps));
  return app;
}
