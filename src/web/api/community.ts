/**
 * The write API for votes, submissions and editor actions. Authenticated by `Authorization:
 * Bearer dp_...` (no CSRF needed) or by the session cookie plus an `X-CSRF-Token` header.
 * Failures are AppErrors, rendered as problem+json by errors.ts.
 *
 *   POST   /api/papers/submit {paperId}     201 Paper: featured on today's feed
 *   POST   /api/papers/<id>/upvote          {upvoted: true, upvotes}
 *   DELETE /api/papers/<id>/upvote          {upvoted: false, upvotes}
 *   POST   /api/papers/<id>/feature {day}   editors: Paper, featured on (or moved to) day
 *   DELETE /api/papers/<id>/feature         editors: Paper, no longer featured
 *   POST   /api/days/<day>/order {paperIds} editors: {day, paperIds} (the full resulting order)
 */
import { Hono, type Context } from 'hono';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../../services/errors.ts';
import { castVote } from '../../services/votes.ts';
import { arxivFetcherFromEnv, submitPaper } from '../../services/submissions.ts';
import { featureOnDay, reorderDay, unfeature } from '../../services/editor.ts';
import { getPaper } from '../../storage/papers-repo.ts';
import { currentUser } from '../middleware/auth.ts';
import { toPaperDetail } from './serialize.ts';

const NEW_ID = ':id{[0-9]+\\.[0-9]+(?:v[0-9]+)?}';
const OLD_ID = ':archive{[a-z][a-z-]*(?:\\.[A-Za-z]+)?}/:num{[0-9]+(?:v[0-9]+)?}';

function routes(suffix: string): string[] {
  return [`/api/papers/${NEW_ID}${suffix}`, `/api/papers/${OLD_ID}${suffix}`];
}

function idOf(c: Context): string {
  return c.req.param('id') ?? `${c.req.param('archive')}/${c.req.param('num')}`;
}

/** A JSON object body; anything else is the client's mistake, named as such. */
async function jsonObject(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (!text.trim()) throw AppError.badRequest('Send a JSON object body');
  const v: unknown = JSON.parse(text);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw AppError.badRequest('The body must be a JSON object');
  return v as Record<string, unknown>;
}

export function communityApi(deps: AppDeps): Hono {
  const { db, config } = deps;
  const app = new Hono();
  const noStore = (c: Context) => c.header('cache-control', 'no-store');

  app.post('/api/papers/submit', async (c) => {
    const body = await jsonObject(c);
    const { paper, entry } = await submitPaper(db, currentUser(c), body.paperId, {
      now: deps.now(),
      maxAgeDays: config.submitMaxAgeDays,
      dailyCap: config.submitDailyCap,
      fetcher: arxivFetcherFromEnv(),
    });
    noStore(c);
    c.header('location', `${config.baseUrl}/api/papers/${paper.id}`);
    return c.json(toPaperDetail(config, paper, entry), 201);
  });

  for (const route of routes('/upvote')) {
    app.post(route, async (c) => {
      noStore(c);
      return c.json(await castVote(db, currentUser(c), idOf(c), 'up', deps.now()));
    });
    app.delete(route, async (c) => {
      noStore(c);
      return c.json(await castVote(db, currentUser(c), idOf(c), 'down', deps.now()));
    });
  }

  for (const route of routes('/feature')) {
    app.post(route, async (c) => {
      const body = await jsonObject(c);
      const { paper, entry } = await featureOnDay(db, currentUser(c), idOf(c), body.day, { now: deps.now(), fetcher: arxivFetcherFromEnv() });
      noStore(c);
      return c.json(toPaperDetail(config, paper, entry));
    });
    app.delete(route, async (c) => {
      const { id } = await unfeature(db, currentUser(c), idOf(c), deps.now());
      const found = await getPaper(db, id);
      noStore(c);
      return c.json(toPaperDetail(config, found!.paper, found!.entry));
    });
  }

  app.post('/api/days/:day/order', async (c) => {
    const body = await jsonObject(c);
    const day = c.req.param('day');
    const paperIds = await reorderDay(db, currentUser(c), day, body.paperIds);
    noStore(c);
    return c.json({ day, paperIds });
  });

  return app;
}
