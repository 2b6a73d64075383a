import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../../services/errors.ts';
import { defaultPeriod, loadFeed, parsePeriod, type Period } from '../../services/feed.ts';
import { entriesFor, getPaper, listPapers } from '../../storage/papers-repo.ts';
import { parseArxivId } from '../../domain/arxiv-id.ts';
import type { DailyEntry, FeedItem } from '../../domain/paper.ts';
import { dailyPapersQuery, encodeCursor, papersQuery, parseQuery, type DailyPaperItem } from './schemas.ts';
import { editorSlug, submitterFilter, toDailyPaperItem, toPaperDetail } from './serialize.ts';
import { avatarSvg, paperCardSvg } from './svg.ts';
import { buildOpenApi } from './openapi.ts';

/**
 * The JSON API. Mounted at `/` by app.ts, so paths here are absolute. Failures are thrown as
 * AppError and become problem+json in errors.ts; nothing here formats an error itself.
 *
 * Paper ids are matched by shape in the route patterns (new style `2503.11677v2`, old style
 * `math/9310227`): that keeps `/api/papers/search` and `/api/papers/:id/comments`, which other
 * modules add, from ever reaching these handlers, and lets old-style ids keep their slash.
 */
const NEW_ID = ':id{[0-9]+\\.[0-9]+(?:v[0-9]+)?}';
const OLD_ID = ':archive{[a-z][a-z-]*(?:\\.[A-Za-z]+)?}/:num{[0-9]+(?:v[0-9]+)?}';

const LIST_CACHE = 'public, max-age=60';
const IMAGE_CACHE = 'public, max-age=86400';

export function apiRoutes(deps: AppDeps): Hono {
  const { db, config } = deps;
  const app = new Hono();

  // Read-only CORS: browser clients of the HF API may call us cross-origin. Only GET/HEAD (Hono
  // routes HEAD as GET) and their preflights, so that future writes are not opened up by accident.
  app.on(
    ['GET', 'OPTIONS'],
    ['/api/*', '/openapi.json'],
    cors({ origin: '*', allowMethods: ['GET', 'HEAD', 'OPTIONS'], exposeHeaders: ['Link', 'X-Total-Count'], maxAge: 86400 }),
  );

  app.get('/api/daily_papers', async (c) => {
    const q = parseQuery(dailyPapersQuery, c.req.query());
    const asked = parsePeriod(q);
    const period = asked ?? (await defaultPeriod(db));
    // submitter= names a real user (their submissions and editor features) and/or the editor's
    // slug, which selects imported entries; both when an account is named like the slug.
    const featuredBy = q.submitter === undefined ? undefined : await submitterFilter(db, config, q.submitter);
    let items: DailyPaperItem[] = [];
    let total = 0;
    if (period && (featuredBy === undefined || featuredBy.length > 0)) {
      const view = await loadFeed(db, period, {
        page: q.p,
        pageSize: q.limit,
        sort: q.sort ?? 'default',
        featuredBy,
      });
      items = view.items.filter(isFeatured).map((i) => toDailyPaperItem(config, i));
      total = view.total;
    }
    // Pin the resolved day in page links: if a new day is published mid-walk, "next" must still
    // page through the same list.
    const pin = !asked && period ? periodParam(period) : {};
    const links: string[] = [];
    if ((q.p + 1) * q.limit < total) links.push(`<${pageUrl(c, { ...pin, p: String(q.p + 1) })}>; rel="next"`);
    if (q.p > 0) links.push(`<${pageUrl(c, { ...pin, p: String(q.p - 1) })}>; rel="prev"`);
    if (links.length) c.header('Link', links.join(', '));
    c.header('X-Total-Count', String(total));
    c.header('Cache-Control', LIST_CACHE);
    return c.json(items);
  });

  app.get('/api/papers', async (c) => {
    const q = parseQuery(papersQuery, c.req.query());
    const { papers, next } = await listPapers(db, q.limit, q.cursor ?? null);
    const entries = await entriesFor(db, papers.map((p) => p.id));
    const nextCursor = next ? encodeCursor(next) : null;
    if (nextCursor) c.header('Link', `<${pageUrl(c, { cursor: nextCursor })}>; rel="next"`);
    c.header('Cache-Control', LIST_CACHE);
    return c.json({ papers: papers.map((p) => toPaperDetail(config, p, entries.get(p.id) ?? null)), nextCursor });
  });

  const paperJson = async (c: Context, raw: string) => {
    const found = await findPaper(raw);
    return c.json(toPaperDetail(config, found.paper, found.entry));
  };
  app.get(`/api/papers/${NEW_ID}`, (c) => paperJson(c, c.req.param('id')!));
  app.get(`/api/papers/${OLD_ID}`, (c) => paperJson(c, `${c.req.param('archive')}/${c.req.param('num')}`));

  const thumbnail = async (c: Context, raw: string) => {
    const { paper } = await findPaper(raw);
    return svg(c, paperCardSvg({ id: paper.id, title: paper.title, authors: paper.authors, siteName: config.siteName }));
  };
  app.get(`/api/papers/${NEW_ID}/thumbnail.svg`, (c) => thumbnail(c, c.req.param('id')!));
  app.get(`/api/papers/${OLD_ID}/thumbnail.svg`, (c) => thumbnail(c, `${c.req.param('archive')}/${c.req.param('num')}`));

  app.get('/avatars/:file{[A-Za-z0-9._-]+\\.svg}', (c) => {
    const name = c.req.param('file')!.slice(0, -'.svg'.length);
    if (name.length === 0 || name.length > 100) throw AppError.notFound(`No avatar for "${name}"`);
    // The editor's avatar shows the editor's initials, not the slug's.
    return svg(c, avatarSvg(name === editorSlug(config) ? config.editorName : name));
  });

  let openapi: Record<string, unknown> | null = null;
  app.get('/openapi.json', (c) => {
    openapi ??= buildOpenApi(config);
    c.header('Cache-Control', LIST_CACHE);
    return c.json(openapi);
  });

  /** A versioned id resolves to the canonical paper; bad syntax and unknown ids are both 404. */
  async function findPaper(raw: string) {
    const parsed = parseArxivId(raw);
    if (!parsed) throw AppError.notFound(`"${raw}" is not an arXiv id`);
    const found = await getPaper(db, parsed.id);
    if (!found) throw AppError.notFound(`No paper ${parsed.id} is indexed here`);
    return found;
  }

  /** Same path and parameters as the request, with `set` applied, on the public origin. */
  function pageUrl(c: Context, set: Record<string, string>): string {
    const params = new URL(c.req.url).searchParams;
    for (const [k, v] of Object.entries(set)) params.set(k, v);
    return `${config.baseUrl}${c.req.path}?${params.toString()}`;
  }

  return app;
}

function isFeatured(i: FeedItem): i is FeedItem & { entry: DailyEntry } {
  return i.entry !== null;
}

function periodParam(p: Period): Record<string, string> {
  if (p.kind === 'day') return { date: p.day };
  if (p.kind === 'week') return { week: p.week };
  return { month: p.month };
}

function svg(c: Context, body: string): Response {
  // An SVG opened directly is a document: forbid script even though every string is escaped.
  c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Cache-Control', IMAGE_CACHE);
  return c.body(body, 200, { 'Content-Type': 'image/svg+xml; charset=utf-8' });
}
