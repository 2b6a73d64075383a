import { sql, type Kysely, type Migration } from 'kysely';
import { isPostgres } from './dialect.ts';
import { registerMigrations } from './migrations.ts';

/**
 * The keyword index: an FTS5 table kept in sync with `papers` by triggers, so every write path
 * (imports, fetches, editors, raw SQL) updates it without application code having to remember.
 *
 * - `search_docs` gives each paper a stable integer key. `papers` has a text primary key, and its
 *   implicit rowid may change on VACUUM, so neither FTS5 nor the vector index may key on it.
 * - `papers_fts` is contentless with `contentless_delete=1`: the text already lives in `papers`,
 *   and rows can be deleted by rowid without the old values. That also keeps the triggers correct
 *   under `INSERT OR REPLACE`, which skips delete triggers unless recursive triggers are on.
 * - `embedded` is reset to 0 by every text change; the vector index re-embeds exactly those rows.
 * - `search_tombstones` records deleted keys so the vector index can drop them.
 *
 * SQLite only: PostgreSQL (tsvector) is not supported by the storage layer yet.
 */
export const FTS_TOKENIZER = 'porter unicode61 remove_diacritics 2';

const STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS search_docs (
     doc_id INTEGER PRIMARY KEY,
     paper_id TEXT NOT NULL UNIQUE,
     embedded INTEGER NOT NULL DEFAULT 0
   )`,
  `CREATE INDEX IF NOT EXISTS search_docs_pending_idx ON search_docs(embedded) WHERE embedded = 0`,
  `CREATE TABLE IF NOT EXISTS search_tombstones (doc_id INTEGER PRIMARY KEY)`,
  `CREATE TABLE IF NOT EXISTS search_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  // A snapshot of document frequencies (terms in 2+ papers): fts5vocab counts a term's documents
  // by walking its whole posting list, milliseconds for common terms at 200k papers.
  `CREATE TABLE IF NOT EXISTS search_df (term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID`,
  `CREATE VIRTUAL TABLE IF NOT EXISTS papers_fts USING fts5(
     title, authors, abstract,
     content='', contentless_delete=1, tokenize='${FTS_TOKENIZER}'
   )`,
  // Document frequencies per term, for the reranker's idf.
  `CREATE VIRTUAL TABLE IF NOT EXISTS papers_fts_vocab USING fts5vocab(papers_fts, 'row')`,
  `CREATE TRIGGER IF NOT EXISTS papers_search_ai AFTER INSERT ON papers BEGIN
     INSERT INTO search_docs(paper_id) VALUES (new.id) ON CONFLICT(paper_id) DO UPDATE SET embedded = 0;
     DELETE FROM papers_fts WHERE rowid = (SELECT doc_id FROM search_docs WHERE paper_id = new.id);
     INSERT INTO papers_fts(rowid, title, authors, abstract)
       VALUES ((SELECT doc_id FROM search_docs WHERE paper_id = new.id), new.title, new.authors, new.abstract);
   END`,
  `CREATE TRIGGER IF NOT EXISTS papers_search_ad AFTER DELETE ON papers BEGIN
     INSERT OR IGNORE INTO search_tombstones(doc_id) SELECT doc_id FROM search_docs WHERE paper_id = old.id;
     DELETE FROM papers_fts WHERE rowid = (SELECT doc_id FROM search_docs WHERE paper_id = old.id);
     DELETE FROM search_docs WHERE paper_id = old.id;
   END`,
  `CREATE TRIGGER IF NOT EXISTS papers_search_au AFTER UPDATE OF id, title, authors, abstract ON papers BEGIN
     UPDATE search_docs SET paper_id = new.id, embedded = 0 WHERE paper_id = old.id;
     DELETE FROM papers_fts WHERE rowid = (SELECT doc_id FROM search_docs WHERE paper_id = new.id);
     INSERT INTO papers_fts(rowid, title, authors, abstract)
       VALUES ((SELECT doc_id FROM search_docs WHERE paper_id = new.id), new.title, new.authors, new.abstract);
   END`,
  // Papers that existed before this migration.
  `INSERT OR IGNORE INTO search_docs(paper_id) SELECT id FROM papers ORDER BY rowid`,
  `INSERT INTO papers_fts(rowid, title, authors, abstract)
     SELECT d.doc_id, p.title, p.authors, p.abstract FROM search_docs d JOIN papers p ON p.id = d.paper_id`,
];


/**
 * Bulk imports defer the keyword index. Through a per-row trigger FTS5 flushes its pending terms at
 * every statement (one segment per statement, then merges): ~150 µs of CPU per paper, against
 * ~70 µs when a whole batch is indexed by one INSERT ... SELECT. So while an import holds the lease
 * `search_meta['fts.deferred_until']` (a unix time, renewed every batch), the triggers only queue
 * the paper in `search_fts_pending`, and the import indexes the queue at the end of each batch, in
 * the batch's own transaction: keyword search never sees a committed paper it cannot find. If the
 * importer dies, the lease lapses within two minutes and writes index directly again; whatever it
 * left queued is indexed by the next import or server start (`drainFtsPending`).
 */
const DEFERRED = `EXISTS (SELECT 1 FROM search_meta WHERE key = 'fts.deferred_until' AND CAST(value AS INTEGER) > unixepoch())`;
const DOC = (ref: string) => `(SELECT doc_id FROM search_docs WHERE paper_id = ${ref}.id)`;

const DEFERRABLE = [
  `CREATE TABLE IF NOT EXISTS search_fts_pending (doc_id INTEGER PRIMARY KEY)`,
  `DROP TRIGGER IF EXISTS papers_search_ai`,
  `DROP TRIGGER IF EXISTS papers_search_au`,
  `DROP TRIGGER IF EXISTS papers_search_ad`,
  `CREATE TRIGGER papers_search_ai AFTER INSERT ON papers BEGIN
     INSERT INTO search_docs(paper_id) VALUES (new.id) ON CONFLICT(paper_id) DO UPDATE SET embedded = 0;
     INSERT OR IGNORE INTO search_fts_pending(doc_id) SELECT ${DOC('new')} WHERE ${DEFERRED};
     DELETE FROM papers_fts WHERE rowid = ${DOC('new')} AND NOT ${DEFERRED};
     INSERT INTO papers_fts(rowid, title, authors, abstract) SELECT ${DOC('new')}, new.title, new.authors, new.abstract WHERE NOT ${DEFERRED};
   END`,
  `CREATE TRIGGER papers_search_au AFTER UPDATE OF id, title, authors, abstract ON papers BEGIN
     UPDATE search_docs SET paper_id = new.id, embedded = 0 WHERE paper_id = old.id;
     INSERT OR IGNORE INTO search_fts_pending(doc_id) SELECT ${DOC('new')} WHERE ${DEFERRED};
     DELETE FROM papers_fts WHERE rowid = ${DOC('new')} AND NOT ${DEFERRED};
     INSERT INTO papers_fts(rowid, title, authors, abstract) SELECT ${DOC('new')}, new.title, new.authors, new.abstract WHERE NOT ${DEFERRED};
   END`,
  `CREATE TRIGGER papers_search_ad AFTER DELETE ON papers BEGIN
     INSERT OR IGNORE INTO search_tombstones(doc_id) SELECT doc_id FROM search_docs WHERE paper_id = old.id;
     DELETE FROM search_fts_pending WHERE doc_id = ${DOC('old')};
     DELETE FROM papers_fts WHERE rowid = ${DOC('old')};
     DELETE FROM search_docs WHERE paper_id = old.id;
   END`,
];

export const searchMigrations: Record<string, Migration> = {
  '0100_search_fts': {
    async up(db: Kysely<any>) {
      if (isPostgres(db)) return;
      for (const s of STATEMENTS) await sql.raw(s).execute(db);
    },
    async down(db: Kysely<any>) {
      for (const t of ['papers_search_ai', 'papers_search_ad', 'papers_search_au']) await sql.raw(`DROP TRIGGER IF EXISTS ${t}`).execute(db);
      for (const t of ['papers_fts_vocab', 'papers_fts', 'search_df', 'search_meta', 'search_tombstones', 'search_docs']) await sql.raw(`DROP TABLE IF EXISTS ${t}`).execute(db);
    },
  },
  '0101_search_fts_deferrable': {
    async up(db: Kysely<any>) {
      if (isPostgres(db)) return;
      for (const s of DEFERRABLE) await sql.raw(s).execute(db);
    },
    async down(db: Kysely<any>) {
      await sql.raw('DROP TABLE IF EXISTS search_fts_pending').execute(db);
      for (const s of STATEMENTS.filter((x) => x.includes('CREATE TRIGGER'))) {
        await sql.raw(`DROP TRIGGER IF EXISTS ${/TRIGGER IF NOT EXISTS (\w+)/.exec(s)![1]}`).execute(db);
        await sql.raw(s).execute(db);
      }
    },
  },
};

// Registering on import keeps `openDatabase` migrations complete for anything that imports search.
registerMigrations(searchMigrations);
