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
  /** Indexes the papers queued while the keyword index was deferred (see search-migrations.ts). */
  drainFtsPending(): number;
}

const cache = new WeakMap<SQLite.Database, SqliteBulk>();

/** Rows per multi-row INSERT: fewer statement runs, 512 parameters at most. */
const ROWS_PER_INSERT = 32;

function paperValues(r: PaperInsertRow, out: unknown[]): void {
  // Same order as INSERT_COLUMNS.
  out.push(
    r.id, r.latest_version, r.title, r.abstract, r.authors, r.categories, r.primary_category, r.comment, r.journal_ref, r.doi,
    r.published_at, r.updated_at, r.github_repo, r.project_page, r.created_at, r.source,
  );
}

// Binding is by position: should the two lists ever drift apart, fail on load, not with shifted columns.
const probe: unknown[] = [];
paperValues(Object.fromEntries(INSERT_COLUMNS.map((c) => [c, c])) as unknown as PaperInsertRow, probe);
if (probe.join() !== INSERT_COLUMNS.join()) throw new Error('sqlite-bulk: paperValues() does not follow INSERT_COLUMNS');

function entryValues(r: EntryInsertRow, out: unknown[]): void {
  out.push(r.paper_id, r.day, r.featured_at, r.featured_by ?? null, r.source, r.position ?? null);
}

/** Runs `many` (ROWS_PER_INSERT rows) over full chunks and `one` over the rest; returns the changes. */
function runChunked<R>(rows: R[], values: (r: R, out: unknown[]) => void, many: SQLite.Statement, one: SQLite.Statement): number {
  let changes = 0;
  let i = 0;
  for (; i + ROWS_PER_INSERT <= rows.length; i += ROWS_PER_INSERT) {
    const params: unknown[] = [];
    for (let j = i; j < i + ROWS_PER_INSERT; j++) values(rows[j], params);
    changes += many.run(params).changes;
  }
  for (; i < rows.length; i++) {
    const params: unknown[] = [];
    values(rows[i], params);
    changes += one.run(params).changes;
  }
  return changes;
}

/**
 * Prepared statements for imports, compiled once per connection. Parameters are bound by position
 * (better-sqlite3 binds a named parameter by looking its name up on the object, which costs more
 * than the insert itself for a 16-column row), and rows go 32 to a statement. Ids within one
 * upsert are distinct (the caller merges repeats), and a repeated entry is skipped either way.
 */
export function sqliteBulk(sqlite: SQLite.Database): SqliteBulk {
  const hit = cache.get(sqlite);
  if (hit) return hit;
  const select = sqlite.prepare('SELECT * FROM papers WHERE id IN (SELECT value FROM json_each(?))');
  const tuples = (n: number, width: number) => Array.from({ length: n }, () => `(${Array(width).fill('?').join(', ')})`).join(', ');
  const upsertSql = (n: number) =>
    `INSERT INTO papers (${INSERT_COLUMNS.join(', ')}) VALUES ${tuples(n, INSERT_COLUMNS.length)} ` +
    `ON CONFLICT(id) DO UPDATE SET ${UPDATABLE_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}`;
  const entrySql = (n: number) =>
    `INSERT INTO daily_entries (paper_id, day, featured_at, featured_by, source, position) VALUES ${tuples(n, 6)} ON CONFLICT(paper_id) DO NOTHING`;
  const upsertOne = sqlite.prepare(upsertSql(1));
  const upsertMany = sqlite.prepare(upsertSql(ROWS_PER_INSERT));
  const entryOne = sqlite.prepare(entrySql(1));
  const entryMany = sqlite.prepare(entrySql(ROWS_PER_INSERT));
  const pending = sqlite.prepare('SELECT q.doc_id AS k FROM search_fts_pending q JOIN papers_fts_docsize s ON s.id = q.doc_id').pluck();
  const ftsDelete = sqlite.prepare('DELETE FROM papers_fts WHERE rowid = ?');
  const ftsIndex = sqlite.prepare(
    'INSERT INTO papers_fts(rowid, title, authors, abstract) SELECT d.doc_id, p.title, p.authors, p.abstract FROM search_fts_pending q JOIN search_docs d ON d.doc_id = q.doc_id JOIN papers p ON p.id = d.paper_id ORDER BY q.doc_id',
  );
  const clearPending = sqlite.prepare('DELETE FROM search_fts_pending');
  // One wrapper for every batch: `sqlite.transaction()` builds several closures per call.
  const inTransaction = sqlite.transaction((fn: () => unknown) => fn());
  const bulk: SqliteBulk = {
    transaction: <T>(fn: () => T) => inTransaction(fn) as T,
    selectByIds: (ids) => select.all(JSON.stringify(ids)) as PaperRow[],
    upsertRows: (rows) => {
      runChunked(rows, paperValues, upsertMany, upsertOne);
    },
    insertEntries: (rows) => runChunked(rows, entryValues, entryMany, entryOne),
    drainFtsPending: () => {
      // Papers indexed before and changed since: their old terms go first.
      for (const k of pending.all()) ftsDelete.run(k);
      const n = ftsIndex.run().changes;
      if (n) clearPending.run();
      return n;
    },
  };
  cache.set(sqlite, bulk);
  return bulk;
}

/**
 * Connection settings for the length of a bulk import; returns what restores the previous ones.
 * The keyword index is deferred to the end of each batch (a lease, see search-migrations.ts).
 * WAL auto-checkpoints every 1,000 pages by default, i.e. after almost every 2,000-record batch,
 * and each checkpoint syncs twice. Letting the WAL grow to 64 MiB between checkpoints cuts that by
 * an order of magnitude (and bounds it when the import's own checkpointer thread falls behind).
 * The final checkpoint is part of the import, so its time is counted.
 */
export function bulkImportSettings(sqlite: SQLite.Database): () => void {
  const checkpointPages = sqlite.pragma('wal_autocheckpoint', { simple: true }) as number;
  sqlite.pragma('wal_autocheckpoint = 16384');
  const lease = sqlite.prepare(
    `INSERT INTO search_meta(key, value) VALUES ('fts.deferred_until', CAST(unixepoch() + ${FTS_LEASE_SECONDS} AS TEXT)) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
  );
  lease.run();
  // FTS5 tuning for batch indexing: an 8 MiB pending-terms buffer (default 1 MiB) flushes fewer,
  // larger segments, and merging 16 segments at a time (default 4) rewrites each posting less
  // often: 93 → 72 µs of CPU per paper indexed (74,728 daily papers, 2,000 per batch).
  const automerge = (sqlite.prepare(`SELECT v FROM papers_fts_config WHERE k = 'automerge'`).pluck().get() as number | undefined) ?? 4;
  sqlite.exec(`INSERT INTO papers_fts(papers_fts, rank) VALUES ('hashsize', 8388608); INSERT INTO papers_fts(papers_fts, rank) VALUES ('automerge', 16);`);
  const timer = setInterval(() => lease.run(), (FTS_LEASE_SECONDS * 1000) / 4);
  timer.unref();
  return () => {
    clearInterval(timer);
    // Best effort: an import that failed (a full disk...) must report its own error, not this one's.
    try {
      const bulk = sqliteBulk(sqlite);
      bulk.transaction(() => {
        sqlite.prepare(`DELETE FROM search_meta WHERE key = 'fts.deferred_until'`).run();
        // FTS5 commands take no bound parameters.
        sqlite.exec(`INSERT INTO papers_fts(papers_fts, rank) VALUES ('automerge', ${Math.trunc(Number(automerge)) || 4})`);
        bulk.drainFtsPending();
      });
    } catch {
      // The lease lapses by itself; the queue is indexed by the next import or server start.
    }
    try {
      sqlite.pragma(`wal_autocheckpoint = ${checkpointPages}`);
      if (!sqlite.inTransaction) sqlite.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // The next commit's auto-checkpoint, or closing the connection, checkpoints instead.
    }
  };
}

/** Seconds an import's deferral of the keyword index lasts unless renewed (it is, four times a lease). */
const FTS_LEASE_SECONDS = 120;

/** Indexes papers a crashed import left queued (server start, index commands). */
export function drainFtsPending(sqlite: SQLite.Database): number {
  const bulk = sqliteBulk(sqlite);
  return bulk.transaction(() => bulk.drainFtsPending());
}
