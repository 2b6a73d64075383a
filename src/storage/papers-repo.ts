import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Db } from './db.ts';
import type { Database, DailyEntriesTable, PapersTable } from './schema.ts';

export type EntryInsertRow = Insertable<DailyEntriesTable>;
import type { DailyEntry, FeatureSource, Paper, PaperRecord } from '../domain/paper.ts';
import { mergePaper, type StoredPaperFields } from '../domain/merge.ts';
import { sqliteBulk, UPDATABLE_COLUMNS } from './sqlite-bulk.ts';

export type PaperRow = Selectable<PapersTable>;

export function rowToPaper(r: PaperRow): Paper {
  return {
    id: r.id,
    latestVersion: r.latest_version,
    title: r.title,
    abstract: r.abstract,
    authors: JSON.parse(r.authors),
    categories: JSON.parse(r.categories),
    comment: r.comment,
    journalRef: r.journal_ref,
    doi: r.doi,
    publishedAt: r.published_at,
    updatedAt: r.updated_at,
    githubRepo: r.github_repo,
    projectPage: r.project_page,
    createdAt: r.created_at,
    source: r.source,
    upvotes: Number(r.upvotes),
    numComments: Number(r.num_comments),
  };
}

export type PaperInsertRow = Omit<PaperRow, 'upvotes' | 'num_comments' | 'trending_score' | 'trending_at'>;

function toRow(p: StoredPaperFields, createdAt: string): PaperInsertRow {
  return {
    id: p.id,
    latest_version: p.latestVersion,
    title: p.title,
    abstract: p.abstract,
    authors: JSON.stringify(p.authors),
    categories: JSON.stringify(p.categories),
    primary_category: p.categories[0] ?? null,
    comment: p.comment,
    journal_ref: p.journalRef,
    doi: p.doi,
    published_at: p.publishedAt,
    updated_at: p.updatedAt,
    github_repo: p.githubRepo,
    project_page: p.projectPage,
    created_at: createdAt,
    source: p.source,
  };
}

export interface UpsertOutcome {
  inserted: number;
  updated: number;
  unchanged: number;
  /** Ids whose stored row was inserted or changed (for index updates). */
  changedIds: string[];
  /** Feature requests that created a new daily entry. */
  featured: number;
}

/** SQLite caps bound parameters at 32766; 16 columns × 500 rows stays well under it. */
const ROWS_PER_STATEMENT = 500;

type Existing = Map<string, StoredPaperFields & { createdAt: string }>;

/**
 * Merges a batch with what is stored (`mergePaper`) and returns only the rows that must be
 * written; unchanged rows are not written at all, so re-importing a file costs one read per batch.
 */
function planUpsert(records: PaperRecord[], existing: Existing, now: string): { rows: PaperInsertRow[]; outcome: UpsertOutcome } {
  const outcome: UpsertOutcome = { inserted: 0, updated: 0, unchanged: 0, changedIds: [], featured: 0 };
  const pending = new Map<string, { fields: StoredPaperFields; createdAt: string; isNew: boolean }>();
  for (const rec of records) {
    const prior = pending.get(rec.id);
    const stored = prior?.fields ?? existing.get(rec.id) ?? null;
    const { paper, changed } = mergePaper(stored, rec);
    if (!changed) continue;
    pending.set(rec.id, { fields: paper, createdAt: existing.get(rec.id)?.createdAt ?? now, isNew: prior ? prior.isNew : !existing.has(rec.id) });
  }
  const rows: PaperInsertRow[] = [];
  for (const p of pending.values()) {
    if (p.isNew) outcome.inserted++;
    else outcome.updated++;
    outcome.changedIds.push(p.fields.id);
    rows.push(toRow(p.fields, p.createdAt));
  }
  // Every record lands in exactly one bucket, so the summary adds up to what was read: a record
  // repeated within a batch (raw daily files list cross-posts twice) counts as unchanged.
  outcome.unchanged = records.length - outcome.inserted - outcome.updated;
  return { rows, outcome };
}

/**
 * Idempotent upsert of a batch, and the featuring of its papers, in one transaction: a crash
 * leaves either the whole batch or none of it.
 */
export async function upsertPapers(db: Db, records: PaperRecord[], now: string, features: FeatureRequest[] = []): Promise<UpsertOutcome> {
  if (records.length === 0) return { inserted: 0, updated: 0, unchanged: 0, changedIds: [], featured: 0 };
  const ids = [...new Set(records.map((r) => r.id))];
  if (db.sqlite) {
    // Bulk path: prepared statements on the raw handle are 2-3x faster than building a Kysely
    // query per chunk, which is what makes 20k records/s possible.
    const bulk = sqliteBulk(db.sqlite);
    return bulk.transaction(() => {
      const existing: Existing = new Map();
      for (const r of bulk.selectByIds(ids)) existing.set(r.id, rowToPaper(r));
      const { rows, outcome } = planUpsert(records, existing, now);
      bulk.upsertRows(rows);
      outcome.featured = bulk.insertEntries(features.map(toEntryRow));
      bulk.drainFtsPending();
      return outcome;
    });
  }
  return db.kysely.transaction().execute(async (trx) => {
    const existing: Existing = new Map();
    for (let i = 0; i < ids.length; i += ROWS_PER_STATEMENT) {
      const rows = await trx.selectFrom('papers').selectAll().where('id', 'in', ids.slice(i, i + ROWS_PER_STATEMENT)).execute();
      for (const r of rows) existing.set(r.id, rowToPaper(r));
    }
    const { rows, outcome } = planUpsert(records, existing, now);
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      await trx
        .insertInto('papers')
        .values(rows.slice(i, i + ROWS_PER_STATEMENT))
        .onConflict((oc) => oc.column('id').doUpdateSet((eb) => Object.fromEntries(UPDATABLE_COLUMNS.map((col) => [col, eb.ref(`excluded.${col}`)]))))
        .execute();
    }
    outcome.featured = await insertEntries(trx, features);
    return outcome;
  });
}

export interface FeatureRequest {
  paperId: string;
  day: string;
  source: FeatureSource;
  featuredBy: number | null;
  featuredAt: string;
}

function toEntryRow(r: FeatureRequest): EntryInsertRow {
  return { paper_id: r.paperId, day: r.day, source: r.source, featured_by: r.featuredBy, featured_at: r.featuredAt, position: null };
}

async function insertEntries(kysely: Kysely<Database>, requests: FeatureRequest[]): Promise<number> {
  let added = 0;
  for (let i = 0; i < requests.length; i += ROWS_PER_STATEMENT) {
    const chunk = requests.slice(i, i + ROWS_PER_STATEMENT).map(toEntryRow);
    const res = await kysely.insertInto('daily_entries').values(chunk).onConflict((oc) => oc.column('paper_id').doNothing()).executeTakeFirst();
    added += Number(res.numInsertedOrUpdatedRows ?? 0);
  }
  return added;
}

/** Features papers; a paper already featured keeps its first day. Returns how many were new. */
export async function featurePapers(db: Db, requests: FeatureRequest[]): Promise<number> {
  return insertEntries(db.kysely, requests);
}

export function rowToEntry(e: { paper_id: string; day: string; featured_at: string; featured_by: number | null; source: string; featured_by_name: string | null }): DailyEntry {
  return { paperId: e.paper_id, day: e.day, featuredAt: e.featured_at, featuredBy: e.featured_by, source: e.source as FeatureSource, featuredByName: e.featured_by_name ?? null };
}

/**
 * The daily entries of a batch of papers in one query, with the featuring user's name: pages and
 * the API show who submitted each paper.
 */
export async function entriesFor(db: Db, ids: string[]): Promise<Map<string, DailyEntry>> {
  const out = new Map<string, DailyEntry>();
  if (ids.length === 0) return out;
  const rows = await db.kysely
    .selectFrom('daily_entries as e')
    .leftJoin('users as u', 'u.id', 'e.featured_by')
    .selectAll('e')
    .select('u.username as featured_by_name')
    .where('e.paper_id', 'in', ids)
    .execute();
  for (const e of rows) out.set(e.paper_id, rowToEntry(e));
  return out;
}

export async function getPaper(db: Db, id: string): Promise<{ paper: Paper; entry: DailyEntry | null } | null> {
  const row = await db.kysely.selectFrom('papers').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return null;
  return {
    paper: rowToPaper(row),
    entry: (await entriesFor(db, [id])).get(id) ?? null,
  };
}

export interface PaperCursor {
  publishedAt: string;
  id: string;
}

/** All indexed papers, newest first, keyset-paginated on (published_at, id). */
export async function listPapers(db: Db, limit: number, after: PaperCursor | null): Promise<{ papers: Paper[]; next: PaperCursor | null }> {
  let q = db.kysely.selectFrom('papers').selectAll().where('published_at', 'is not', null);
  if (after) {
    q = q.where((eb) =>
      eb.or([eb('published_at', '<', after.publishedAt), eb.and([eb('published_at', '=', after.publishedAt), eb('id', '<', after.id)])]),
    );
  }
  const rows = await q.orderBy('published_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
  const papers = rows.slice(0, limit).map(rowToPaper);
  const last = papers[papers.length - 1];
  return { papers, next: rows.length > limit && last ? { publishedAt: last.publishedAt!, id: last.id } : null };
}

export async function countPapers(db: Db): Promise<number> {
  const r = await db.kysely.selectFrom('papers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}
