/**
 * Votes, submissions, editor actions and trending, in the browser (the JSON API is in
 * api/community.ts, mounted here):
 *
 *   GET      /papers/trending            trending papers (+ "How trending works")
 *   GET/POST /papers/submit              submit a paper to today's feed
 *   POST     /papers/<id>/upvote         toggle (or `vote=up|down`); 303 back, or JSON for fetch()
 *   POST     /papers/<id>/feature        editors: feature on / move to `day`
 *   POST     /papers/<id>/unfeature      editors
 *   POST     /papers/<id>/move           editors: `direction=up|down` within the day
 *
 * Registered before the page routes, whose `/papers/<id>` pattern would otherwise take these
 * paths. CSRF is checked by the auth middleware before any handler here runs.
 */
import { Hono, type Context } from 'hono';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../../services/errors.ts';
import { castVote, intentFromForm } from '../../services/votes.ts';
import { arxivFetcherFromEnv, recentSubmissions, submissionsToday, submitPaper } from '../../services/submissions.ts';
import { featureOnDay, moveOnDay, unfeature } from '../../services/editor.ts';
import { toDay } from '../../domain/dates.ts';
import { csrfToken, currentUser, requireWriter } from '../middleware/auth.ts';
import { communityApi } from '../api/community.ts';
import { statusFor } from '../errors.ts';
import { formFields } from '../forms.ts';
import { renderTrending } from './trending-page.tsx';
import { SubmitPage } from './submit-page.tsx';
import { cardAnchor, loginPath } from './upvote-button.tsx';
import { dayPath, paperPath } from './urls.ts';

/** Paper ids by shape, as in api/index.ts: new style, and old style with its slash. */
const NEW_ID = ':id{[0-9]+\\.[0-9]+(?:v[0-9]+)?}';
const OLD_ID = ':archive{[a-z][a-z-]*(?:\\.[A-Za-z]+)?}/:num{[0-9]+(?:v[0-9]+)?}';

/** Both id shapes for a path suffix, e.g. `/upvote`. */
export function paperRoutes(prefix: string, suffix: string): string[] {
  return [`${prefix}/${NEW_ID}${suffix}`, `${prefix}/${OLD_ID}${suffix}`];
}

export function paperIdOf(c: Context): string {
  const id = c.req.param('id');
  return id ?? `${c.req.param('archive')}/${c.req.param('num')}`;
}

function wantsJson(c: Context): boolean {
  const accept = c.req.header('accept') ?? '';
  return /application\/json/.test(accept) && !accept.includes('text/html');
}

/**
 * The same-site page the request came from (Referer), so that a vote without JavaScript returns
 * where it was made; anything else (no Referer, another site, a protocol-relative path) gives
 * `fallback`.
 */
export function backTo(c: Context, deps: AppDeps, fallback: string): string {
  const ref = c.req.header('referer');
  if (!ref) return fallback;
  try {
    const u = new URL(ref);
    const own = [new URL(c.req.url).origin, new URL(deps.config.baseUrl).origin];
    if (!own.includes(u.origin) || u.pathname.startsWith('//')) return fallback;
    return u.pathname + u.search;
  } catch {
    return fallback;
  }
}

export function communityRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const { db, config } = deps;

  app.get('/papers/trending', (c) => renderTrending(c, deps));

  const submitForm = async (c: Context, value: string, error: AppError | null) => {
    const user = currentUser(c)!;
    const today = toDay(deps.now());
    const page = (
      <SubmitPage
        config={config}
        csrf={csrfToken(c, deps)}
        value={value}
        error={error?.message ?? null}
        banned={!!user.bannedAt}
        today={today}
        submittedToday={await submissionsToday(db, user.id, today)}
        recent={await recentSubmissions(db, user.id, 10)}
      />
    );
    c.header('cache-control', 'no-store');
    if (error?.details.retryAfter) c.header('retry-after', String(error.details.retryAfter));
    return c.html(page, error ? statusFor(error.kind) : 200);
  };

  app.get('/papers/submit', async (c) => {
    if (!currentUser(c)) return c.redirect(loginPath('/papers/submit'), 303);
    return submitForm(c, '', null);
  });

  app.post('/papers/submit', async (c) => {
    if (!currentUser(c)) return c.redirect(loginPath('/papers/submit'), 303);
    const { paperId = '' } = await formFields(c);
    try {
      const { paper, entry } = await submitPaper(db, currentUser(c), paperId, {
        now: deps.now(),
        maxAgeDays: config.submitMaxAgeDays,
        dailyCap: config.submitDailyCap,
        fetcher: arxivFetcherFromEnv(),
      });
      return c.redirect(`${dayPath(entry.day)}#${cardAnchor(paper.id)}`, 303);
    } catch (err) {
      // A banned user gets the error page like any forbidden write; rule failures re-show the form.
      if (err instanceof AppError && err.kind !== 'forbidden' && err.kind !== 'unauthorized') return submitForm(c, paperId.slice(0, 300), err);
      throw err;
    }
  });

  for (const route of paperRoutes('/papers', '/upvote')) {
    app.post(route, async (c) => {
      const id = paperIdOf(c);
      const json = wantsJson(c);
      if (!currentUser(c) && !json) return c.redirect(loginPath(backTo(c, deps, paperPath(id))), 303);
      const { vote } = await formFields(c);
      const result = await castVote(db, currentUser(c), id, intentFromForm(vote), deps.now());
      if (json) return c.json(result);
      const back = backTo(c, deps, paperPath(id));
      // Back on a feed, land on the card that was clicked; the paper page needs no anchor.
      return c.redirect(back.split('?')[0] === paperPath(id) ? back : `${back}#${cardAnchor(id)}`, 303);
    });
  }

  for (const route of paperRoutes('/papers', '/feature')) {
    app.post(route, async (c) => {
      if (!currentUser(c)) return c.redirect(loginPath(paperPath(paperIdOf(c))), 303);
      const { day } = await formFields(c);
      const { paper, entry } = await featureOnDay(db, requireWriter(c), paperIdOf(c), day, { now: deps.now(), fetcher: arxivFetcherFromEnv() });
      return c.redirect(`${dayPath(entry.day)}#${cardAnchor(paper.id)}`, 303);
    });
  }

  for (const route of paperRoutes('/papers', '/unfeature')) {
    app.post(route, async (c) => {
      if (!currentUser(c)) return c.redirect(loginPath(paperPath(paperIdOf(c))), 303);
      const { id } = await unfeature(db, requireWriter(c), paperIdOf(c), deps.now());
      return c.redirect(paperPath(id), 303);
    });
  }

  for (const route of paperRoutes('/papers', '/move')) {
    app.post(route, async (c) => {
      if (!currentUser(c)) return c.redirect(loginPath(paperPath(paperIdOf(c))), 303);
      const { direction } = await formFields(c);
      const { day } = await moveOnDay(db, requireWriter(c), paperIdOf(c), direction);
      return c.redirect(`${backTo(c, deps, dayPath(day))}#${cardAnchor(paperIdOf(c))}`, 303);
    });
  }

  app.route('/', communityApi(deps));
  return app;
}
