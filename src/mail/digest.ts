/**
 * The digest of a period, rendered into the outbox before anything is sent.
 *
 * A run (`digest_runs`) fixes what "new" means for its period the first time it starts, so that a
 * render resumed after a crash, or raced by a second worker, picks the same papers:
 *  - daily: entries featured since the previous daily run (daily_entries ids above its maximum;
 *    ids, not timestamps, because imports stamp entries with their listing day, not import time);
 *  - weekly: entries featured in the seven days ending on the run's day.
 * "New in your topics" are papers added to the index since the previous run (weekly: 7 days).
 * Every row's key is `digest:<subscriber>:<period>`: re-rendering queues nobody twice.
 */
import type { Config } from '../config.ts';
import type { Db } from '../storage/db.ts';
import { addDays } from '../domain/dates.ts';
import { mailKysely } from '../storage/mail-migrations.ts';
import { confirmedSubscribersPage, findSubscriberByEmail, listWebhooks, findSubscriber, type Frequency, type Subscriber } from '../storage/subscriptions-repo.ts';
import { enqueue, storePart, type NewOutboxRow } from './outbox.ts';
import { renderTopicPart, renderTrendingPart, type DigestPaper, type RenderedPart } from './render.ts';
import { newPapersForTopic, type TopicPaper } from './topic-matcher.ts';
import { webhookBody } from './webhooks.ts';
import { localDay, longLabel, periodKey, periodLabel } from './periods.ts';
import type { MailSettings } from './settings.ts';
import type { DigestPayload } from './compose.ts';

export interface DigestRun {
  period: string;
  frequency: Frequency;
  startedAt: string;
  renderedAt: string | null;
  prevEntryId: number;
  maxEntryId: number;
  sinceDay: string;
  topicsSince: string;
}

/** Without a previous run, a daily digest covers yesterday and today (or `--since`). */
export async function planRun(db: Db, frequency: Frequency, now: Date, settings: MailSettings, opts: { sinceDay?: string } = {}): Promise<DigestRun> {
  const k = mailKysely(db.kysely);
  const period = periodKey(frequency, now, settings.digestTz);
  const today = localDay(now, settings.digestTz);
  const max = await k.selectFrom('daily_entries').select((eb) => eb.fn.max('id').as('m')).executeTakeFirst();
  const maxEntryId = Number(max?.m ?? 0);
  const base = { period, frequency, startedAt: now.toISOString(), renderedAt: null, maxEntryId };
  if (frequency === 'weekly' || opts.sinceDay) {
    const sinceDay = opts.sinceDay ?? addDays(today, -6);
    const topicsSince = frequency === 'weekly' && !opts.sinceDay ? new Date(now.getTime() - 7 * 86_400_000) : new Date(`${sinceDay}T00:00:00Z`);
    return { ...base, prevEntryId: 0, sinceDay, topicsSince: topicsSince.toISOString() };
  }
  const prev = await k.selectFrom('digest_runs').selectAll().where('frequency', '=', 'daily').where('period', '<', period).orderBy('period', 'desc').limit(1).executeTakeFirst();
  if (!prev) return { ...base, prevEntryId: 0, sinceDay: addDays(today, -1), topicsSince: new Date(now.getTime() - 86_400_000).toISOString() };
  // A late import of an old day is not news: entries must be from the last week as well.
  return { ...base, prevEntryId: Number(prev.max_entry_id), sinceDay: addDays(today, -7), topicsSince: prev.started_at };
}

function rowToRun(r: { period: string; frequency: string; started_at: string; rendered_at: string | null; prev_entry_id: number; max_entry_id: number; since_day: string; topics_since: string }): DigestRun {
  return {
    period: r.period,
    frequency: r.frequency as Frequency,
    startedAt: r.started_at,
    renderedAt: r.rendered_at,
    prevEntryId: Number(r.prev_entry_id),
    maxEntryId: Number(r.max_entry_id),
    sinceDay: r.since_day,
    topicsSince: r.topics_since,
  };
}

export async function findRun(db: Db, period: string): Promise<DigestRun | null> {
  const r = await mailKysely(db.kysely).selectFrom('digest_runs').selectAll().where('period', '=', period).executeTakeFirst();
  return r ? rowToRun(r) : null;
}

/** The period's run: the stored one if it exists (first writer wins), else a new one. */
export async function ensureRun(db: Db, frequency: Frequency, now: Date, settings: MailSettings, opts: { sinceDay?: string } = {}): Promise<DigestRun> {
  const k = mailKysely(db.kysely);
  const period = periodKey(frequency, now, settings.digestTz);
  const existing = await k.selectFrom('digest_runs').selectAll().where('period', '=', period).executeTakeFirst();
  if (existing) return rowToRun(existing);
  const p = await planRun(db, frequency, now, settings, opts);
  await k
    .insertInto('digest_runs')
    .values({ period, frequency, started_at: p.startedAt, rendered_at: null, prev_entry_id: p.prevEntryId, max_entry_id: p.maxEntryId, since_day: p.sinceDay, topics_since: p.topicsSince, queued: 0 })
    .onConflict((oc) => oc.column('period').doNothing())
    .execute();
  return rowToRun(await k.selectFrom('digest_runs').selectAll().where('period', '=', period).executeTakeFirstOrThrow());
}

/** The run's top trending papers: stored trending score, then upvotes. */
export async function trendingForRun(db: Db, run: DigestRun, topN: number): Promise<DigestPaper[]> {
  const rows = await db.kysely
    .selectFrom('daily_entries as e')
    .innerJoin('papers as p', 'p.id', 'e.paper_id')
    .select(['p.id', 'p.title', 'p.abstract', 'p.authors', 'p.categories', 'p.upvotes'])
    .where('e.id', '>', run.prevEntryId)
    .where('e.id', '<=', run.maxEntryId)
    .where('e.day', '>=', run.sinceDay)
    .orderBy('p.trending_score', 'desc')
    .orderBy('p.upvotes', 'desc')
    .orderBy('e.id')
    .limit(topN)
    .execute();
  return rows.map((r) => ({ id: r.id, title: r.title, abstract: r.abstract, authors: JSON.parse(r.authors), categories: JSON.parse(r.categories), upvotes: Number(r.upvotes) }));
}

/** "Daily Papers · Mar 12 · <top title> and 9 more". */
export function digestSubject(siteName: string, label: string, topTitle: string, total: number): string {
  const title = topTitle.length > 90 ? `${topTitle.slice(0, 89).replace(/\s+\S*$/, '')}…` : topTitle;
  return `${siteName} · ${label} · ${title}${total > 1 ? ` and ${total - 1} more` : ''}`;
}

interface Section {
  id: number;
  ids: string[];
  first: string;
  papers: TopicPaper[];
}

export interface RenderOptions {
  now: Date;
  dryRun?: boolean;
  /** `digest send --to`: render for this one address only, under a one-off key. */
  only?: string;
}

export interface RenderResult {
  period: string;
  trending: number;
  subscribers: number;
  /** Rows added to the outbox now (a resumed render counts only the ones it added). */
  queued: number;
  /** Subscribers with nothing new: no email, not an empty one. */
  nothingNew: number;
  topics: number;
  webhooks: number;
  rows: NewOutboxRow[];
  /** Sections by id, for dry runs (which store nothing). */
  parts: Map<number, RenderedPart>;
}

const PAGE = 2000;

export async function renderRun(db: Db, config: Config, settings: MailSettings, run: DigestRun, opts: RenderOptions): Promise<RenderResult> {
  const started = new Date(run.startedAt);
  const label = periodLabel(run.frequency, started, settings.digestTz);
  const payloadLabel = longLabel(run.frequency, started, settings.digestTz);
  const memory = new Map<number, RenderedPart>();
  const store = async (p: RenderedPart): Promise<number> => {
    if (!opts.dryRun) return storePart(db, p, opts.now);
    memory.set(memory.size + 1, p);
    return memory.size;
  };
  const trending = await trendingForRun(db, run, settings.topN);
  const trendingTitle = run.frequency === 'daily' ? 'Trending papers' : 'Trending this week';
  const trendingPart = trending.length ? await store(renderTrendingPart(config.baseUrl, trendingTitle, trending)) : null;
  const shown = new Set(trending.map((p) => p.id));
  const sections = new Map<string, Promise<Section | null>>();
  // One query and one rendering per distinct topic, however many subscribers share it.
  const section = (topic: string): Promise<Section | null> => {
    let s = sections.get(topic);
    if (!s) {
      s = (async () => {
        const found = await newPapersForTopic(db, topic, new Date(run.topicsSince), settings.topicLimit + shown.size);
        const papers = found.filter((p) => !shown.has(p.id)).slice(0, settings.topicLimit);
        if (papers.length === 0) return null;
        return { id: await store(renderTopicPart(config.baseUrl, topic, papers)), ids: papers.map((p) => p.id), first: papers[0].title, papers };
      })();
      sections.set(topic, s);
    }
    return s;
  };

  const result: RenderResult = { period: run.period, trending: trending.length, subscribers: 0, queued: 0, nothingNew: 0, topics: 0, webhooks: 0, rows: [], parts: memory };
  const rowFor = async (sub: Subscriber | null, email: string, key: string): Promise<NewOutboxRow | null> => {
    const own = (await Promise.all((sub?.topics ?? []).map(section))).filter((s): s is Section => s !== null);
    const distinct = new Set([...trending.map((p) => p.id), ...own.flatMap((s) => s.ids)]);
    if (distinct.size === 0) return null;
    const payload: DigestPayload = { label: payloadLabel, trending: trendingPart, topics: own.map((s) => s.id), ...(sub ? {} : { preview: true }) };
    return {
      key,
      kind: 'digest',
      subscriberId: sub?.id ?? null,
      recipient: email,
      period: run.period,
      subject: digestSubject(config.siteName, label, trending[0]?.title ?? own[0].first, distinct.size),
      parts: [...(trendingPart ? [trendingPart] : []), ...own.map((s) => s.id)],
      payload,
    };
  };

  if (opts.only) {
    const sub = await findSubscriberByEmail(db, opts.only);
    const row = await rowFor(sub && sub.status !== 'bounced' ? sub : null, opts.only, `preview:${opts.only.toLowerCase()}:${run.period}:${opts.now.getTime()}`);
    result.subscribers = 1;
    if (row) result.rows.push(row);
    else result.nothingNew = 1;
    if (row && !opts.dryRun) result.queued = await enqueue(db, [row], opts.now);
    result.topics = sections.size;
    return result;
  }

  let after = 0;
  for (;;) {
    const page = await confirmedSubscribersPage(db, run.frequency, after, PAGE);
    if (page.length === 0) break;
    after = page[page.length - 1].id;
    const rows: NewOutboxRow[] = [];
    for (const sub of page) {
      const row = await rowFor(sub, sub.email, `digest:${sub.id}:${run.period}`);
      if (row) rows.push(row);
      else result.nothingNew++;
    }
    result.subscribers += page.length;
    if (opts.dryRun) result.rows.push(...rows.slice(0, Math.max(0, 5 - result.rows.length)));
    else result.queued += await enqueue(db, rows, opts.now);
  }
  if (run.frequency === 'daily') result.webhooks = await queueWebhooks(db, config, run, section, opts);
  result.topics = sections.size;
  if (!opts.dryRun) {
    await mailKysely(db.kysely)
      .updateTable('digest_runs')
      .set((eb) => ({ rendered_at: opts.now.toISOString(), queued: eb('queued', '+', result.queued) }))
      .where('period', '=', run.period)
      .execute();
  }
  return result;
}

/** Each active webhook gets its topic's new papers, once per daily period. */
async function queueWebhooks(db: Db, config: Config, run: DigestRun, section: (t: string) => Promise<Section | null>, opts: RenderOptions): Promise<number> {
  const rows: NewOutboxRow[] = [];
  for (const hook of await listWebhooks(db, { activeOnly: true })) {
    if (hook.subscriberId !== null && (await findSubscriber(db, hook.subscriberId))?.status !== 'confirmed') continue;
    const s = await section(hook.topic);
    if (!s) continue;
    const body = webhookBody(hook.kind, { baseUrl: config.baseUrl, siteName: config.siteName, topic: hook.topic, period: run.period, papers: s.papers });
    rows.push({ key: `webhook:${hook.id}:${run.period}`, kind: 'webhook', webhookId: hook.id, recipient: hook.url, period: run.period, subject: `webhook ${hook.kind}: ${hook.topic}`, payload: body });
  }
  if (opts.dryRun) return rows.length;
  return enqueue(db, rows, opts.now);
}

/**
 * Starts (or resumes) a period: the run is created once, then rendered unless a previous attempt
 * finished rendering. Rendering twice is harmless (keys), so a crash mid-render just renders again.
 */
export async function preparePeriod(db: Db, config: Config, settings: MailSettings, frequency: Frequency, now: Date, opts: { sinceDay?: string } = {}): Promise<{ run: DigestRun; rendered: RenderResult | null }> {
  const run = await ensureRun(db, frequency, now, settings, opts);
  if (run.renderedAt) return { run, rendered: null };
  return { run, rendered: await renderRun(db, config, settings, run, { now }) };
}
