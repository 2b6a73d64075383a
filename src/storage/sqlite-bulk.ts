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

/** Prepared statements for imports, compiled once per connection. */
export function sqliteBulk(sqlite: SQLite.Database): SqliteBulk {
  const hit = cache.get(sqlite);
  if (hit) return hit;
  const select = sqlite.prepare('SELECT * FROM papers WHERE id IN (SELECT value FROM json_each(?))');
  const upsert = sqlite.prepare(
    `INSERT INTO papers (${INSERT_COLUMNS.join(', ')}) VALUES (${INSERT_COLUMNS.map((c) => '@' + c).join(', ')}) ` +
      `ON CONFLICT(id) DO UPDATE SET ${UPDATABLE_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}`,
  );
  const entry = sqlite.prepare(
    'INSERT INTO daily_entries (paper_id, day, featured_at, featured_by, source, position) VALUES (@paper_id, @day, @featured_at, @featured_by, @source, @position) ON CONFLICT(paper_id) DO NOTHING',
  );
  const bulk: SqliteBulk = {
    transaction: <T>(fn: () => T) => sqlite.transaction(fn)(),
    selectByIds: (ids) => select.all(JSON.stringify(ids)) as PaperRow[],
    upsertRows: (rows) => {
      for (const r of rows) upsert.run(r);
    },
    insertEntries: (rows) => {
      let added = 0;
      for (const r of rows) added += entry.run(r).changes;
      return added;
    },
  };
  cache.set(sqlite, bulk);
  return bulk;
}
