/**
 * Server-rendered HTML pages (hono/jsx). Every page works without JavaScript.
 *
 *   /                           latest day with papers (empty instance: how to add papers)
 *   /papers?date=YYYY-MM-DD     a day (no date: as /); also ?week= / ?month=
 *   /papers/date/YYYY-MM-DD     → 301 /papers?date=...
 *   /papers/week/YYYY-Www       an ISO week
 *   /papers/month/YYYY-MM       a month, with its days
 *   /papers/<id>[.md]           a paper (old-style ids keep their slash: /papers/math/9310227)
 *   /subscribe, /search         placeholders
 * All feed pages take `p` (0-based page, 50 per page).
 */
import { Hono } from 'hono';
import type { AppDeps } from '../deps.ts';
import type { HtmlErrorRenderer } from '../errors.ts';
import { AppError } from '../../services/errors.ts';
import { parsePeriod } from '../../services/feed.ts';
import { renderFeed } from './feed-page.tsx';
import { renderPaper } from './paper-page.tsx';
import { renderSearch } from './search-page.tsx';
import { renderSubscribe } from './subscribe-page.tsx';
import { errorRenderer } from './error-page.tsx';
import { periodPath } from './urls.ts';

export function pageRoutes(deps: AppDeps): Hono {
  const app = new Hono();

  app.get('/', (c) => renderFeed(c, deps, null));
  app.get('/papers', (c) => renderFeed(c, deps, parsePeriod({ date: c.req.query('date'), week: c.req.query('week'), month: c.req.query('month') })));
  app.get('/papers/', (c) => c.redirect('/papers', 301));

  // Period routes come before the paper route, whose id may contain a slash.
  app.get('/papers/date/:day', (c) => {
    const period = parsePeriod({ date: c.req.param('day') });
    if (!period) throw AppError.notFound('No day given');
    const p = c.req.query('p');
    return c.redirect(`${periodPath(period)}${p ? `&p=${encodeURIComponent(p)}` : ''}`, 301);
  });
  app.get('/papers/week/:week', (c) => renderFeed(c, deps, parsePeriod({ week: c.req.param('week') })));
  app.get('/papers/month/:month', (c) => renderFeed(c, deps, parsePeriod({ month: c.req.param('month') })));
  app.get('/papers/:id{.+}', (c) => renderPaper(c, deps, c.req.param('id')));

  app.get('/subscribe', (c) => renderSubscribe(c, deps));
  app.get('/search', (c) => renderSearch(c, deps));
  return app;
}

export function renderErrorHtml(deps: AppDeps): HtmlErrorRenderer {
  return errorRenderer(deps.config);
}
