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
 * PostgreSQL has its own branch (PG_STATEMENTS below): a weighted tsvector in `search_docs`.
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

/**
 * PostgreSQL: the weighted tsvector (title A, authors B, abstract C) lives in `search_docs` under a
 * GIN index, maintained by one plpgsql trigger on `papers`; the 'english' configuration stems and
 * drops stopwords. No deferral is needed: GIN's fastupdate pending list already batches inserts.
 *
 * Vectors: each process keeps its own in-memory usearch index, so the vectors themselves are
 * stored here (`search_vectors`, written by whichever process embeds a paper) and every write or
 * deletion is appended to `search_changes`, which processes poll to stay current. `rev` counts text
 * changes, so a vector computed from text that changed meanwhile is never marked current.
 * `search_blobs` holds the built-in model, which on SQLite is a file beside the database.
 */
const PG_STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS search_docs (
     doc_id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
     paper_id text NOT NULL UNIQUE,
     embedded integer NOT NULL DEFAULT 0,
     rev integer NOT NULL DEFAULT 0,
     tsv tsvector NOT NULL DEFAULT ''::tsvector
   )`,
  `CREATE INDEX IF NOT EXISTS search_docs_tsv_idx ON search_docs USING gin (tsv)`,
  `CREATE INDEX IF NOT EXISTS search_docs_pending_idx ON search_docs(doc_id) WHERE embedded = 0`,
  `CREATE TABLE IF NOT EXISTS search_tombstones (doc_id integer PRIMARY KEY)`,
  `CREATE TABLE IF NOT EXISTS search_meta (key text PRIMARY KEY, value text NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS search_df (term text PRIMARY KEY, df integer NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS search_blobs (key text PRIMARY KEY, value bytea NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS search_vectors (doc_id integer PRIMARY KEY, rev integer NOT NULL, vec bytea NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS search_changes (
     seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     doc_id integer NOT NULL,
     deleted boolean NOT NULL DEFAULT false,
     at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE OR REPLACE FUNCTION search_tsv(title text, authors text, abstract text) RETURNS tsvector
     LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
       SELECT setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
           || setweight(to_tsvector('english'::regconfig, coalesce(authors, '')), 'B')
           || setweight(to_tsvector('english'::regconfig, coalesce(abstract, '')), 'C')
     $$`,
  `CREATE OR REPLACE FUNCTION papers_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'DELETE' THEN
       INSERT INTO search_changes(doc_id, deleted) SELECT doc_id, true FROM search_docs WHERE paper_id = OLD.id;
       DELETE FROM search_vectors WHERE doc_id IN (SELECT doc_id FROM search_docs WHERE paper_id = OLD.id);
       DELETE FROM search_docs WHERE paper_id = OLD.id;
       RETURN OLD;
     END IF;
     IF TG_OP = 'UPDATE' THEN
       -- Upserts rewrite unchanged rows on every re-import: those must not queue a re-embedding.
       IF NEW.id = OLD.id AND NEW.title IS NOT DISTINCT FROM OLD.title AND NEW.authors IS NOT DISTINCT FROM OLD.authors
          AND NEW.abstract IS NOT DISTINCT FROM OLD.abstract THEN
         RETURN NEW;
       END IF;
       IF NEW.id <> OLD.id THEN
         UPDATE search_docs SET paper_id = NEW.id WHERE paper_id = OLD.id;
       END IF;
     END IF;
     INSERT INTO search_docs(paper_id, tsv) VALUES (NEW.id, search_tsv(NEW.title, NEW.authors, NEW.abstract))
       ON CONFLICT (paper_id) DO UPDATE SET tsv = EXCLUDED.tsv, embedded = 0, rev = search_docs.rev + 1;
     RETURN NEW;
   END $$`,
  `DROP TRIGGER IF EXISTS papers_search_sync ON papers`,
  `CREATE TRIGGER papers_search_sync AFTER INSERT OR DELETE OR UPDATE OF id, title, authors, abstract ON papers
     FOR EACH ROW EXECUTE FUNCTION papers_search_sync()`,
  `CREATE OR REPLACE FUNCTION search_vectors_log() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     INSERT INTO search_changes(doc_id) VALUES (NEW.doc_id);
     RETURN NEW;
   END $$`,
  `DROP TRIGGER IF EXISTS search_vectors_log ON search_vectors`,
  `CREATE TRIGGER search_vectors_log AFTER INSERT OR UPDATE ON search_vectors FOR EACH ROW EXECUTE FUNCTION search_vectors_log()`,
  `INSERT INTO search_docs(paper_id, tsv) SELECT id, search_tsv(title, authors, abstract) FROM papers ORDER BY id ON CONFLICT (paper_id) DO NOTHING`,
];

const PG_DOWN = [
  'DROP TRIGGER IF EXISTS papers_search_sync ON papers',
  'DROP FUNCTION IF EXISTS papers_search_sync()',
  'DROP TABLE IF EXISTS search_changes, search_vectors, search_blobs, search_df, search_meta, search_tombstones, search_docs',
  'DROP FUNCTION IF EXISTS search_vectors_log()',
  'DROP FUNCTION IF EXISTS search_tsv(text, text, text)',
];

export const searchMigrations: Record<string, Migration> = {
  '0100_search_fts': {
    async up(db: Kysely<any>) {
      if (isPostgres(db)) {
        for (const s of PG_STATEMENTS) await sql.raw(s).execute(db);
        return;
      }
      for (const s of STATEMENTS) await sql.raw(s).execute(db);
    },
    async down(db: Kysely<any>) {
      if (isPostgres(db)) {
        for (const s of PG_DOWN) await sql.raw(s).execute(db);
        return;
      }
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
      if (isPostgres(db)) return;
      await sql.raw('DROP TABLE IF EXISTS search_fts_pending').execute(db);
      for (const s of STATEMENTS.filter((x) => x.includes('CREATE TRIGGER'))) {
        await sql.raw(`DROP TRIGGER IF EXISTS ${/TRIGGER IF NOT EXISTS (\w+)/.exec(s)![1]}`).execute(db);
        await sql.raw(s).execute(db);
      }
    },
  },
  // Databases created while 0100 did nothing on PostgreSQL get the index here; a no-op otherwise.
  '0102_search_pg': {
    async up(db: Kysely<any>) {
      if (!isPostgres(db)) return;
      for (const s of PG_STATEMENTS) await sql.raw(s).execute(db);
    },
    async down() {},
  },
};

// Registering on import keeps `openDatabase` migrations complete for anything that imports search.
registerMigrations(searchMigrations);
