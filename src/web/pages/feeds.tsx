/**
 * Syndication feeds, built with the `feed` package:
 *
 *   /papers/feed.xml             the daily feed: papers featured on the latest 7 featured days
 *   /papers/trending/feed.xml    the trending list
 *   /search/feed.xml?q=...       new papers matching a search (a topic), newest first
 *
 * Each in three formats: Atom by default (`feed.xml`), RSS 2.0 (`feed.rss`, or `feed.xml?format=rss`)
 * and JSON Feed 1.1 (`feed.json`, or `?format=json`). Extensions are the clean URLs; `?format=`
 * exists for readers that only accept one URL shape.
 */
import { Hono, type Context } from 'hono';
import { Feed, type Item } from 'feed';
import type { AppDeps } from '../deps.ts';
import type { Config } from '../../config.ts';
import type { Paper } from '../../domain/paper.ts';
import { AppError } from '../../services/errors.ts';
import { trendingPage } from '../../services/trending.ts';
import { featuredInRange, latestDay } from '../../storage/feed-repo.ts';
import { addDays } from '../../domain/dates.ts';
import { newPapersForTopic } from '../../mail/topic-matcher.ts';
import { normaliseTopic, topicProblem } from '../../mail/topics.ts';
import { authorLine, esc, firstSentences } from '../../mail/render.ts';
import { paperPath } from './urls.ts';

export type FeedFormat = 'atom' | 'rss' | 'json';

const TYPES: Record<FeedFormat, string> = {
  atom: 'application/atom+xml; charset=utf-8',
  rss: 'application/rss+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};
const EXT: Record<FeedFormat, string> = { atom: 'xml', rss: 'rss', json: 'json' };
const ITEMS = 60;
const CACHE = 'public, max-age=300';
/** A search feed lists papers added to the index within this window. */
const SEARCH_WINDOW_DAYS = 30;

/** `<link rel="alternate">` entries for a page's feeds (Layout's `meta.alternates`). */
export function feedAlternates(kind: 'daily' | 'trending' | 'search', siteName: string, q?: string): { type: string; href: string; title: string }[] {
  const label = kind === 'daily' ? `${siteName}: daily papers` : kind === 'trending' ? `${siteName}: trending papers` : `${siteName}: “${q}”`;
  return (['atom', 'rss', 'json'] as const).map((f) => ({ type: TYPES[f].split(';')[0], href: feedPath(kind, f, q), title: `${label} (${f === 'atom' ? 'Atom' : f === 'rss' ? 'RSS' : 'JSON Feed'})` }));
}

export function feedPath(kind: 'daily' | 'trending' | 'search', format: FeedFormat, q?: string): string {
  const base = kind === 'daily' ? '/papers/feed' : kind === 'trending' ? '/papers/trending/feed' : '/search/feed';
  return `${base}.${EXT[format]}${kind === 'search' ? `?q=${encodeURIComponent(q ?? '')}` : ''}`;
}

function formatOf(c: Context, ext: FeedFormat): FeedFormat {
  const f = c.req.query('format');
  if (f === undefined || f === '') return ext;
  if (f === 'atom' || f === 'rss' || f === 'json') return f;
  throw AppError.badRequest('format must be atom, rss or json', 'format');
}

interface FeedSpec {
  kind: 'daily' | 'trending' | 'search';
  title: string;
  description: string;
  /** The HTML page the feed mirrors. */
  page: string;
  q?: string;
  items: { paper: Paper; date: Date }[];
}

function build(config: Config, spec: FeedSpec, format: FeedFormat): string {
  const abs = (p: string) => `${config.baseUrl}${p}`;
  const self = abs(feedPath(spec.kind, format, spec.q));
  const updated = spec.items.reduce((d, i) => (i.date > d ? i.date : d), new Date(0));
  const feed = new Feed({
    id: abs(feedPath(spec.kind, 'atom', spec.q)),
    title: spec.title,
    description: spec.description,
    link: abs(spec.page),
    language: 'en',
    updated: spec.items.length ? updated : new Date(0),
    generator: config.siteName,
    copyright: `Paper metadata from arXiv; see each paper for its license.`,
    feedLinks: { atom: abs(feedPath(spec.kind, 'atom', spec.q)), rss: abs(feedPath(spec.kind, 'rss', spec.q)), json: abs(feedPath(spec.kind, 'json', spec.q)) },
    feed: self,
  });
  for (const { paper: p, date } of spec.items) {
    const url = abs(paperPath(p.id));
    // Atom marks titles and summaries type="html", RSS descriptions are HTML by custom, JSON Feed
    // titles and summaries are plain text: paper text is escaped for exactly the HTML slots.
    const html = (s: string) => (format === 'json' ? s : esc(s));
    const item: Item = {
      title: format === 'atom' ? esc(p.title) : p.title,
      id: url,
      link: url,
      date,
      description: html(firstSentences(p.abstract)),
      content: `<p>${esc(authorLine(p.authors, 20))}</p><p>${esc(p.abstract)}</p><p><a href="https://arxiv.org/abs/${esc(p.id)}">arXiv:${esc(p.id)}</a></p>`,
      category: p.categories.map((name) => ({ name, term: name })),
    };
    // RSS 2.0's <author> must be an email address; there the names are in the content instead.
    if (format !== 'rss') item.author = p.authors.slice(0, 20).map((name) => ({ name }));
    if (p.publishedAt) item.published = new Date(p.publishedAt);
    feed.addItem(item);
  }
  return format === 'atom' ? feed.atom1() : format === 'rss' ? feed.rss2() : feed.json1();
}

function entryDate(featuredAt: string | null | undefined, p: Paper): Date {
  const d = new Date(featuredAt ?? p.publishedAt ?? p.createdAt);
  return Number.isNaN(d.getTime()) ? new Date(p.createdAt) : d;
}

export function feedRoutes(deps: AppDeps): Hono {
  const { db, config } = deps;
  const app = new Hono();

  const send = (c: Context, spec: FeedSpec, format: FeedFormat) => {
    c.header('cache-control', CACHE);
    return c.body(build(config, spec, format), 200, { 'content-type': TYPES[format] });
  };

  const daily = async (c: Context, ext: FeedFormat) => {
    const format = formatOf(c, ext);
    const last = await latestDay(db);
    const items = last ? (await featuredInRange(db, { range: { start: addDays(last, -6), end: last }, sort: 'default', offset: 0, limit: ITEMS })).items : [];
    return send(c, {
      kind: 'daily',
      title: `${config.siteName}: daily papers`,
      description: `Papers featured daily on ${config.siteName} by ${config.editorName} and the research community.`,
      page: '/',
      items: items.map((i) => ({ paper: i.paper, date: entryDate(i.entry?.featuredAt, i.paper) })),
    }, format);
  };

  const trending = async (c: Context, ext: FeedFormat) => {
    const format = formatOf(c, ext);
    const { items } = await trendingPage(db, deps.now(), 0, ITEMS);
    return send(c, {
      kind: 'trending',
      title: `${config.siteName}: trending papers`,
      description: `The papers the community is upvoting and discussing right now on ${config.siteName}.`,
      page: '/papers/trending',
      items: items.map((i) => ({ paper: i.paper, date: entryDate(i.entry?.featuredAt, i.paper) })),
    }, format);
  };

  const search = async (c: Context, ext: FeedFormat) => {
    const format = formatOf(c, ext);
    const raw = c.req.query('q') ?? '';
    if (/[\r\n]/.test(raw)) throw AppError.badRequest('q must not contain line breaks', 'q');
    const q = normaliseTopic(raw);
    if (!q) throw AppError.badRequest('Give a search: /search/feed.xml?q=your+words', 'q');
    const problem = topicProblem(q);
    if (problem) throw AppError.badRequest(problem, 'q');
    const since = new Date(deps.now().getTime() - SEARCH_WINDOW_DAYS * 86_400_000);
    const papers = await newPapersForTopic(db, q, since, ITEMS);
    return send(c, {
      kind: 'search',
      q,
      title: `${config.siteName}: “${q}”`,
      description: `New papers matching “${q}” on ${config.siteName}.`,
      page: `/search?q=${encodeURIComponent(q)}`,
      items: papers.map((p) => ({
        paper: { ...p, latestVersion: null, comment: null, journalRef: null, doi: null, updatedAt: null, githubRepo: null, projectPage: null, source: '', numComments: 0 },
        date: entryDate(null, { publishedAt: p.publishedAt, createdAt: p.createdAt } as Paper),
      })),
    }, format);
  };

  for (const [ext, format] of [['xml', 'atom'], ['rss', 'rss'], ['json', 'json']] as const) {
    app.get(`/papers/feed.${ext}`, (c) => daily(c, format));
    app.get(`/papers/trending/feed.${ext}`, (c) => trending(c, format));
    app.get(`/search/feed.${ext}`, (c) => search(c, format));
  }
  return app;
}
