/**
 * Community submissions: a signed-in user puts a recent arXiv paper on today's feed. Each rule
 * fails with its own status and a message that says what to do:
 *
 *   format      400  not an arXiv id or URL
 *   daily cap   429  SUBMIT_DAILY_CAP papers per user per UTC day
 *   unknown     404  not indexed and the instance is offline (or arXiv has no such paper)
 *               503  indexed nowhere yet and arXiv could not be reached
 *   featured    409  names the day it was featured
 *   too old     400  names the paper's age and the limit (SUBMIT_MAX_AGE_DAYS)
 *
 * The cap is checked before anything is fetched, so a capped user cannot make us call arXiv.
 */
import type { Db } from '../storage/db.ts';
import type { DailyEntry, Paper, ParseItem } from '../domain/paper.ts';
import type { User } from '../domain/user.ts';
import { parseArxivRef } from '../domain/arxiv-id.ts';
import { dayToDate, formatDay, toDay } from '../domain/dates.ts';
import { getPaper } from '../storage/papers-repo.ts';
import { emptyStats, importItems } from '../ingest/pipeline.ts';
import { DEFAULT_API_URL, fetchArxivByIds } from '../ingest/fetch/arxiv-api.ts';
import { PoliteClient } from '../ingest/fetch/http.ts';
import { AppError } from './errors.ts';
import { assertCanWrite } from './auth.ts';
import { hitRateLimit } from './rate-limit.ts';
import { recomputeTrending } from './trending.ts';

const MS_PER_DAY = 86_400_000;

/** Fetches one paper from arXiv; null when the instance is offline. */
export type ArxivFetcher = (id: string) => Promise<ParseItem[]>;

export interface SubmitOptions {
  now: Date;
  maxAgeDays: number;
  dailyCap: number;
  fetcher: ArxivFetcher | null;
}

export interface Featured {
  paper: Paper;
  entry: DailyEntry;
}

// One client per endpoint for the whole process, so that arXiv's one-request-per-3-seconds rule
// holds across concurrent submissions, not just within one.
const clients = new Map<string, PoliteClient>();

/**
 * The arXiv fetcher the environment allows: OFFLINE=1 disables fetching; ARXIV_API_URL points at
 * a mirror (or a test server). A web request cannot wait minutes, so retries are few and short.
 */
export function arxivFetcherFromEnv(env: NodeJS.ProcessEnv = process.env): ArxivFetcher | null {
  if (env.OFFLINE === '1' || env.OFFLINE === 'true') return null;
  const baseUrl = env.ARXIV_API_URL || DEFAULT_API_URL;
  const minIntervalMs = env.ARXIV_MIN_INTERVAL_MS ? Number(env.ARXIV_MIN_INTERVAL_MS) : undefined;
  const key = `${baseUrl} ${minIntervalMs ?? ''}`;
  let client = clients.get(key);
  if (!client) {
    client = new PoliteClient({
      userAgent: env.ARXIV_USER_AGENT || undefined,
      minIntervalMs,
      maxRetries: 1,
      backoffMs: 1000,
      maxRetryAfterWaits: 1,
      maxRetryAfterMs: 5000,
      timeoutMs: 15_000,
    });
    clients.set(key, client);
  }
  const c = client;
  return (id) => fetchArxivByIds([id], { baseUrl, client: c });
}

async function* each<T>(items: T[]): AsyncIterable<T> {
  yield* items;
}

/** The paper, from the index or else fetched from arXiv and imported (not featured). */
export async function findOrFetchPaper(db: Db, id: string, fetcher: ArxivFetcher | null, now: Date): Promise<{ paper: Paper; entry: DailyEntry | null }> {
  const known = await getPaper(db, id);
  if (known) return known;
  if (!fetcher) {
    throw new AppError('not_found', `arXiv:${id} is not indexed here, and this instance is offline, so it cannot be fetched from arXiv`, { param: 'paperId' });
  }
  let items: ParseItem[];
  try {
    items = await fetcher(id);
  } catch (err) {
    throw new AppError('unavailable', `Could not fetch arXiv:${id} from the arXiv API (${(err as Error).message}); try again in a few minutes`);
  }
  const found = items.filter((i) => i.ok);
  if (found.length === 0) {
    const reason = items.find((i) => !i.ok)?.reason ?? 'no entry returned';
    if (/not found on arXiv/.test(reason)) throw new AppError('not_found', `arXiv has no paper ${id}: check the id`, { param: 'paperId' });
    throw new AppError('unavailable', `The arXiv API answered for ${id}, but the answer could not be read (${reason}); try again later`);
  }
  await importItems(db, 'arxiv-api', each(found), { feature: 'never', now: () => now }, emptyStats());
  const stored = await getPaper(db, id);
  if (!stored) throw new AppError('unavailable', `arXiv:${id} was fetched but could not be stored; try again`);
  return stored;
}

export function parsePaperRef(raw: unknown): string {
  const s = typeof raw === 'string' ? raw.trim() : '';
  if (!s) throw AppError.badRequest('Enter an arXiv id (e.g. 2503.11677) or an arXiv URL', 'paperId');
  const parsed = s.length <= 300 ? parseArxivRef(s) : null;
  if (!parsed) {
    const shown = s.length > 80 ? `${s.slice(0, 80)}…` : s;
    throw AppError.badRequest(`"${shown}" is not an arXiv id or URL: expected e.g. 2503.11677, arXiv:2503.11677v2 or https://arxiv.org/abs/2503.11677`, 'paperId');
  }
  return parsed.id;
}

export function alreadyFeatured(paper: Paper, entry: DailyEntry): AppError {
  return new AppError('conflict', `arXiv:${paper.id} ("${paper.title}") is already featured, on ${formatDay(entry.day)}`, { param: 'paperId', featuredOn: entry.day });
}

async function countToday(db: Db, userId: number, day: string): Promise<number> {
  const r = await db.kysely
    .selectFrom('daily_entries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('featured_by', '=', userId)
    .where('source', '=', 'community')
    .where('day', '=', day)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

function capError(n: number, cap: number, now: Date): AppError {
  const retryAfter = Math.ceil((dayToDate(toDay(now)).getTime() + MS_PER_DAY - now.getTime()) / 1000);
  return new AppError('rate_limited', `You have submitted ${n} paper${n === 1 ? '' : 's'} today; the limit is ${cap} a day. Try again tomorrow (days are UTC).`, { retryAfter });
}

export async function submitPaper(db: Db, user: User | null, rawRef: unknown, opts: SubmitOptions): Promise<Featured> {
  const submitter = assertCanWrite(user);
  const { now } = opts;
  await hitRateLimit(db, 'submit', String(submitter.id), now);
  const id = parsePaperRef(rawRef);
  const today = toDay(now);
  const before = await countToday(db, submitter.id, today);
  if (before >= opts.dailyCap) throw capError(before, opts.dailyCap, now);

  const { paper, entry } = await findOrFetchPaper(db, id, opts.fetcher, now);
  if (entry) throw alreadyFeatured(paper, entry);
  if (paper.publishedAt) {
    const published = Date.parse(paper.publishedAt);
    const ageDays = (now.getTime() - published) / MS_PER_DAY;
    if (ageDays > opts.maxAgeDays) {
      throw AppError.badRequest(
        `arXiv:${id} was first published on ${formatDay(paper.publishedAt.slice(0, 10))}, ${Math.floor(ageDays)} days ago; community submissions must be at most ${opts.maxAgeDays} days old`,
        'paperId',
      );
    }
  }

  // Insert first, then count: the write takes the lock, and a racing submission that pushed the
  // user over the cap (or featured the paper first) rolls this one back.
  await db.kysely.transaction().execute(async (trx) => {
    const ins = await trx
      .insertInto('daily_entries')
      .values({ paper_id: id, day: today, featured_at: now.toISOString(), featured_by: submitter.id, source: 'community', position: null })
      .onConflict((oc) => oc.column('paper_id').doNothing())
      .executeTakeFirst();
    if (Number(ins.numInsertedOrUpdatedRows ?? 0) === 0) {
      const e = await trx.selectFrom('daily_entries').select('day').where('paper_id', '=', id).executeTakeFirst();
      throw alreadyFeatured(paper, { paperId: id, day: e?.day ?? today, featuredAt: '', featuredBy: null, source: 'community' });
    }
    const n = await trx
      .selectFrom('daily_entries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('featured_by', '=', submitter.id)
      .where('source', '=', 'community')
      .where('day', '=', today)
      .executeTakeFirstOrThrow();
    if (Number(n.n) > opts.dailyCap) throw capError(Number(n.n) - 1, opts.dailyCap, now);
  });
  await recomputeTrending(db, id, now);
  const stored = await getPaper(db, id);
  return { paper: stored!.paper, entry: stored!.entry! };
}

/** The user's own recent submissions, newest first, for the submit page. */
export async function recentSubmissions(db: Db, userId: number, limit = 20): Promise<{ id: string; title: string; day: string }[]> {
  return db.kysely
    .selectFrom('daily_entries as e')
    .innerJoin('papers as p', 'p.id', 'e.paper_id')
    .select(['p.id', 'p.title', 'e.day'])
    .where('e.featured_by', '=', userId)
    .orderBy('e.featured_at', 'desc')
    .limit(limit)
    .execute();
}

export { countToday as submissionsToday };
