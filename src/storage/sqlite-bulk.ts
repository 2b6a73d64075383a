import type SQLite from 'better-sqlite3';
import type { EntryInsertRow, PaperInsertRow, PaperRow } from './papers-repo.ts';

/** Columns an upsert overwrites; `created_at`, `source` and the counters keep their first value. */
export const UPDATABLE_COLUMNS = [
  'latest_version', 'title', 'abstract', 'authors', 'categories', 'primary_category', 'comment', 'journal_ref', 'doi',
  'published_at', 'updated_at', 'github_repo', 'project_page',
] as const;

const INSERT_COLUMNS = ['id', ...UPDATABLE_COLUMNS, 'created_at', 'source'] as const;

export interface SqliteBulk {
  transaction<T>(fn: () => T): T;
  selectByIds(ids: string[]): PaperRow[];
  upsertRows(rows: PaperInsertRow[]): void;
  /** Inserts daily entries, keeping an existing entry for the same paper; returns how many were new. */
  insertEntries(rows: EntryInsertRow[]): number;
}

const cache = new WeakMap<SQLite.Database, SqliteBulk>();

/**
 * Prepared statements for imports, compiled once per connection. Parameters are bound by position:
 * better-sqlite3 binds a named parameter by looking the name up on the object, which costs more
 * than the insert itself for a 16-column row.
 */
export function sqliteBulk(sqlite: SQLite.Database): SqliteBulk {
  const hit = cache.get(sqlite);
  if (hit) return hit;
  const select = sqlite.prepare('SELECT * FROM papers WHERE id IN (SELECT value FROM json_each(?))');
  const upsert = sqlite.prepare(
    `INSERT INTO papers (${INSERT_COLUMNS.join(', ')}) VALUES (${INSERT_COLUMNS.map(() => '?').join(', ')}) ` +
      `ON CONFLICT(id) DO UPDATE SET ${UPDATABLE_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}`,
  );
  const entry = sqlite.prepare(
    'INSERT INTO daily_entries (paper_id, day, featured_at, featured_by, source, position) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(paper_id) DO NOTHING',
  );
  // One wrapper for every batch: `sqlite.transaction()` builds several closures per call.
  const inTransaction = sqlite.transaction((fn: () => unknown) => fn());
  const bulk: SqliteBulk = {
    transaction: <T>(fn: () => T) => inTransaction(fn) as T,
    selectByIds: (ids) => select.all(JSON.stringify(ids)) as PaperRow[],
    upsertRows: (rows) => {
      // Same order as INSERT_COLUMNS.
      for (const r of rows) {
        upsert.run(
          r.id, r.latest_version, r.title, r.abstract, r.authors, r.categories, r.primary_category, r.comment, r.journal_ref, r.doi,
          r.published_at, r.updated_at, r.github_repo, r.project_page, r.created_at, r.source,
        );
      }
    },
    insertEntries: (rows) => {
      let added = 0;
      for (const r of rows) added += entry.run(r.paper_id, r.day, r.featured_at, r.featured_by ?? null, r.source, r.position ?? null).changes;
      return added;
    },
  };
  cache.set(sqlite, bulk);
  return bulk;
}

/**
 * Connection settings for the length of a bulk import; returns what restores the previous ones.
 * WAL auto-checkpoints every 1,000 pages by default, i.e. after almost every 2,000-record batch,
 * and each checkpoint syncs twice; letting the WAL grow to 64 MiB between checkpoints cuts that
 * by an order of magnitude. The final checkpoint is part of the import, so its time is counted.
 */
export function bulkImportSettings(sqlite: SQLite.Database): () => void {
  const checkpointPages = sqlite.pragma('wal_autocheckpoint', { simple: true }) as number;
  const cacheSize = sqlite.pragma('cache_size', { simple: true }) as number;
  sqlite.pragma('wal_autocheckpoint = 16384');
  // At least 64 MiB of page cache, so index pages stay hot across batches (negative = KiB).
  const pageSize = sqlite.pragma('page_size', { simple: true }) as number;
  const cacheKiB = cacheSize < 0 ? -cacheSize : (cacheSize * pageSize) / 1024;
  if (cacheKiB < 65536) sqlite.pragma('cache_size = -65536');
  return () => {
    sqlite.pragma(`wal_autocheckpoint = ${checkpointPages}`);
    sqlite.pragma(`cache_size = ${cacheSize}`);
    if (!sqlite.inTransaction) sqlite.pragma('wal_checkpoint(PASSIVE)');
  };
}
