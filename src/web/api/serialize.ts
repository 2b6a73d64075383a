import crypto from 'node:crypto';
import type { Config } from '../../config.ts';
import type { Db } from '../../storage/db.ts';
import type { DailyEntry, FeedItem, Paper } from '../../domain/paper.ts';
import { arxivAbsUrl, arxivPdfUrl } from '../../domain/arxiv-id.ts';
import type { ApiUser, Author, DailyPaperItem, PaperDetail } from './schemas.ts';

/**
 * Domain → wire. Hugging Face clients expect Mongo-style 24-hex `_id`s; we derive them from stable
 * inputs with sha1 so that the same paper always yields the same ids, across restarts and instances.
 */
export function hexId(input: string): string {
  return crypto.createHash('sha1').update(input).digest('hex').slice(0, 24);
}

/** Username slug: lowercase, runs of non-alphanumerics → '-', trimmed; `editor` if nothing is left. */
export function slugify(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'editor';
}

export function editorSlug(config: Config): string {
  return slugify(config.editorName);
}

function user(config: Config, slug: string, fullname: string): ApiUser {
  return { _id: hexId(`user:${slug}`), name: slug, user: slug, fullname, avatarUrl: `${config.baseUrl}/avatars/${slug}.svg`, type: 'user' };
}

/**
 * Who submitted an entry: the real user who featured it (a community member or an editor), or,
 * for imports (featuredBy null), the instance editor as a pseudo-user named by EDITOR_NAME's slug.
 * An entry whose user row is gone (deleted account) keeps a stable placeholder.
 */
export function submitterFor(config: Config, entry: DailyEntry): ApiUser {
  if (entry.featuredBy === null) return user(config, editorSlug(config), config.editorName);
  if (entry.featuredByName) return user(config, entry.featuredByName, entry.featuredByName);
  return user(config, `user-${entry.featuredBy}`, `User ${entry.featuredBy}`);
}

/** Dates are stored as `2025-03-10` or full ISO; the API always speaks full UTC datetimes. */
export function isoDateTime(s: string): string {
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? s : d.toISOString();
}

function authors(p: Paper): Author[] {
  return p.authors.map((name, i) => ({ _id: hexId(`${p.id}\u0000${i}\u0000${name}`), name, hidden: false }));
}

export function thumbnailUrl(config: Config, id: string): string {
  return `${config.baseUrl}/api/papers/${id}/thumbnail.svg`;
}

function core(p: Paper) {
  return {
    id: p.id,
    authors: authors(p),
    // A paper without a known v1 date falls back to when we indexed it: clients require a datetime.
    publishedAt: isoDateTime(p.publishedAt ?? p.createdAt),
    title: p.title,
    summary: p.abstract,
    upvotes: p.upvotes,
    discussionId: hexId(`discussion:${p.id}`),
    githubRepo: p.githubRepo,
    projectPage: p.projectPage,
  };
}

export function toDailyPaperItem(config: Config, item: FeedItem & { entry: DailyEntry }): DailyPaperItem {
  const { paper: p, entry } = item;
  const by = submitterFor(config, entry);
  const featuredAt = isoDateTime(entry.featuredAt);
  return {
    paper: { ...core(p), submittedOnDailyAt: featuredAt, submittedOnDailyBy: by },
    publishedAt: featuredAt,
    title: p.title,
    summary: p.abstract,
    thumbnail: thumbnailUrl(config, p.id),
    numComments: p.numComments,
    submittedBy: by,
    isAuthorParticipating: false,
  };
}

export function toPaperDetail(config: Config, p: Paper, entry: DailyEntry | null): PaperDetail {
  return {
    ...core(p),
    submittedOnDailyAt: entry ? isoDateTime(entry.featuredAt) : null,
    submittedOnDailyBy: entry ? submitterFor(config, entry) : null,
    numComments: p.numComments,
    thumbnail: thumbnailUrl(config, p.id),
    latestVersion: p.latestVersion,
    categories: p.categories,
    comment: p.comment,
    journalRef: p.journalRef,
    doi: p.doi,
    updatedAt: p.updatedAt ? isoDateTime(p.updatedAt) : null,
    featuredDay: entry?.day ?? null,
    arxivUrl: arxivAbsUrl(p.id),
    pdfUrl: arxivPdfUrl(p.id),
  };
}


/**
 * `submitter=<name>` → the `featured_by` values it selects: the user with that username (any
 * case), and null (imports) when it is the editor's slug. Empty when it names nobody.
 */
export async function submitterFilter(db: Db, config: Config, name: string): Promise<(number | null)[]> {
  const out: (number | null)[] = [];
  const u = await db.kysely.selectFrom('users').select('id').where((eb) => eb(eb.fn('lower', ['username']), '=', name.toLowerCase())).executeTakeFirst();
  if (u) out.push(Number(u.id));
  if (name.toLowerCase() === editorSlug(config)) out.push(null);
  return out;
}
