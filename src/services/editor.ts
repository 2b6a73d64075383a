/**
 * Editor actions: feature any paper on any day (no age or cap rules; unknown papers are fetched
 * like submissions), unfeature, and order a day's papers. Editors and admins only.
 */
import type { Db } from '../storage/db.ts';
import type { User } from '../domain/user.ts';
import { canEdit } from '../domain/user.ts';
import { parseArxivRef } from '../domain/arxiv-id.ts';
import { isValidDay, toDay } from '../domain/dates.ts';
import { getPaper } from '../storage/papers-repo.ts';
import { dayOrder, setDayOrder } from '../storage/feed-repo.ts';
import { AppError } from './errors.ts';
import { assertCanWrite } from './auth.ts';
import { recomputeTrending } from './trending.ts';
import { findOrFetchPaper, type ArxivFetcher, type Featured } from './submissions.ts';

/** Most papers a day may be ordered at once; HF days have ~50. */
const MAX_ORDER = 1000;

export function assertEditor(user: User | null): User {
  const u = assertCanWrite(user);
  if (!canEdit(u.role)) throw new AppError('forbidden', 'Only editors can do this: feature, unfeature and reorder papers');
  return u;
}

function paperIdParam(raw: string): string {
  const parsed = parseArxivRef(raw);
  if (!parsed) throw AppError.notFound(`"${raw}" is not an arXiv id`);
  return parsed.id;
}

export function dayParam(raw: unknown): string {
  const day = typeof raw === 'string' ? raw.trim() : '';
  if (!isValidDay(day)) throw AppError.badRequest(`day must be a calendar day YYYY-MM-DD (got ${JSON.stringify(raw ?? null)})`, 'day');
  return day;
}

/**
 * Features a paper on `day`, or moves it there if it is featured on another day; the entry then
 * belongs to the editor. Featured on today, it is timestamped now; on another day, at the start of
 * that day, so that back-filling last week does not hand an old paper today's freshness bonus.
 */
export async function featureOnDay(db: Db, user: User | null, rawId: string, rawDay: unknown, opts: { now: Date; fetcher: ArxivFetcher | null }): Promise<Featured> {
  const editor = assertEditor(user);
  const id = paperIdParam(rawId);
  const day = dayParam(rawDay);
  const { entry } = await findOrFetchPaper(db, id, opts.fetcher, opts.now);
  const featuredAt = day === toDay(opts.now) ? opts.now.toISOString() : `${day}T00:00:00.000Z`;
  if (!entry) {
    await db.kysely
      .insertInto('daily_entries')
      .values({ paper_id: id, day, featured_at: featuredAt, featured_by: editor.id, source: 'editor', position: null })
      .onConflict((oc) => oc.column('paper_id').doUpdateSet({ day, featured_at: featuredAt, featured_by: editor.id, source: 'editor', position: null }))
      .execute();
  } else if (entry.day !== day) {
    await db.kysely
      .updateTable('daily_entries')
      .set({ day, featured_at: featuredAt, featured_by: editor.id, source: 'editor', position: null })
      .where('paper_id', '=', id)
      .execute();
  }
  await recomputeTrending(db, id, opts.now);
  const stored = await getPaper(db, id);
  return { paper: stored!.paper, entry: stored!.entry! };
}

/** Takes a paper off the feed (the paper stays indexed, with its votes and comments). */
export async function unfeature(db: Db, user: User | null, rawId: string, now: Date): Promise<{ id: string; day: string }> {
  assertEditor(user);
  const id = paperIdParam(rawId);
  const e = await db.kysely.selectFrom('daily_entries').select('day').where('paper_id', '=', id).executeTakeFirst();
  if (!e) throw AppError.notFound(`arXiv:${id} is not featured on any day`);
  await db.kysely.deleteFrom('daily_entries').where('paper_id', '=', id).execute();
  await recomputeTrending(db, id, now);
  return { id, day: e.day };
}

/**
 * Sets a day's order: the listed papers first, in that order; the day's other papers follow in
 * the default order (upvotes, then time featured). Returns the resulting full order.
 */
export async function reorderDay(db: Db, user: User | null, rawDay: unknown, rawIds: unknown): Promise<string[]> {
  assertEditor(user);
  const day = dayParam(rawDay);
  if (!Array.isArray(rawIds) || rawIds.some((x) => typeof x !== 'string')) throw AppError.badRequest('paperIds must be an array of arXiv ids', 'paperIds');
  if (rawIds.length > MAX_ORDER) throw AppError.badRequest(`paperIds may list at most ${MAX_ORDER} papers`, 'paperIds');
  const current = new Set(await dayOrder(db, day));
  const ids: string[] = [];
  for (const raw of rawIds as string[]) {
    const parsed = parseArxivRef(raw);
    if (!parsed) throw AppError.badRequest(`paperIds: "${raw}" is not an arXiv id`, 'paperIds');
    if (!current.has(parsed.id)) throw AppError.badRequest(`paperIds: arXiv:${parsed.id} is not featured on ${day}`, 'paperIds');
    if (ids.includes(parsed.id)) throw AppError.badRequest(`paperIds: arXiv:${parsed.id} is listed twice`, 'paperIds');
    ids.push(parsed.id);
  }
  await setDayOrder(db, day, ids);
  return dayOrder(db, day);
}

/** Moves a paper one place up or down within its day (the editor's buttons on the day feed). */
export async function moveOnDay(db: Db, user: User | null, rawId: string, direction: unknown): Promise<{ day: string; order: string[] }> {
  assertEditor(user);
  const id = paperIdParam(rawId);
  if (direction !== 'up' && direction !== 'down') throw AppError.badRequest('direction must be up or down', 'direction');
  const e = await db.kysely.selectFrom('daily_entries').select('day').where('paper_id', '=', id).executeTakeFirst();
  if (!e) throw AppError.notFound(`arXiv:${id} is not featured on any day`);
  const order = await dayOrder(db, e.day);
  const i = order.indexOf(id);
  const j = direction === 'up' ? i - 1 : i + 1;
  if (j >= 0 && j < order.length) {
    [order[i], order[j]] = [order[j]!, order[i]!];
    // The whole day is pinned: positions are only meaningful relative to each other.
    await setDayOrder(db, e.day, order);
  }
  return { day: e.day, order };
}
