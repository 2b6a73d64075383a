import type SQLite from 'better-sqlite3';

/**
 * Collection statistics from the FTS5 index itself, so the reranker's BM25 uses the same numbers
 * as FTS5 without a second copy to keep in sync: document frequencies from the `fts5vocab` table,
 * and row count plus per-column token totals from FTS5's "averages" record (`_data` row id 1,
 * a sequence of SQLite varints: nRow, then total tokens per column).
 */
export interface CollectionStats {
  docs: number;
  /** Average tokens per column: title, authors, abstract. */
  avgLen: [number, number, number];
}

function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let v = 0;
  for (let i = 0; i < 8; i++) {
    const b = buf[pos + i];
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) return [v, pos + i + 1];
  }
  return [v * 256 + buf[pos + 8], pos + 9];
}

const cache = new WeakMap<SQLite.Database, { at: number; stats: CollectionStats }>();

/** Cached for a second: imports change it constantly, queries only need it roughly right. */
export function collectionStats(sq: SQLite.Database): CollectionStats {
  const hit = cache.get(sq);
  const now = Date.now();
  if (hit && now - hit.at < 1000) return hit.stats;
  const row = stmt(sq, 'SELECT block FROM papers_fts_data WHERE id = 1').get() as { block: Uint8Array } | undefined;
  const stats: CollectionStats = { docs: 0, avgLen: [10, 10, 150] };
  if (row?.block?.length) {
    let pos = 0;
    let n: number;
    [n, pos] = readVarint(row.block, pos);
    stats.docs = n;
    for (let c = 0; c < 3 && pos < row.block.length; c++) {
      let t: number;
      [t, pos] = readVarint(row.block, pos);
      if (n > 0) stats.avgLen[c] = Math.max(1, t / n);
    }
  }
  cache.set(sq, { at: now, stats });
  return stats;
}

const snapshotDocs = new WeakMap<SQLite.Database, number>();

/** Docs count at the last df snapshot (0: none yet). */
function snapshotSize(sq: SQLite.Database): number {
  const hit = snapshotDocs.get(sq);
  if (hit !== undefined) return hit;
  const r = stmt(sq, "SELECT value FROM search_meta WHERE key = 'df.docs'").get() as { value: string } | undefined;
  const n = r ? Number(r.value) : 0;
  snapshotDocs.set(sq, n);
  return n;
}

/** Rebuilds the df snapshot from the FTS vocabulary (one pass over the index: seconds at 200k papers). */
export function refreshDocFreqs(sq: SQLite.Database): void {
  sq.transaction(() => {
    sq.exec('DELETE FROM search_df; INSERT INTO search_df(term, df) SELECT term, doc FROM papers_fts_vocab WHERE doc >= 2;');
    const n = (stmt(sq, 'SELECT count(*) AS n FROM search_docs').get() as { n: number }).n;
    stmt(sq, "INSERT INTO search_meta(key, value) VALUES ('df.docs', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(String(n));
    snapshotDocs.set(sq, n);
  })();
  cache.delete(sq);
}

/** Refreshes the snapshot when the collection has changed by more than 10% since it was taken. */
export function maybeRefreshDocFreqs(sq: SQLite.Database): boolean {
  const now = (stmt(sq, 'SELECT count(*) AS n FROM search_docs').get() as { n: number }).n;
  const then = snapshotSize(sq);
  if (now === 0 || Math.abs(now - then) <= 0.1 * then) return false;
  refreshDocFreqs(sq);
  return true;
}

/**
 * Document frequencies of stemmed terms. From the snapshot when there is one (a term missing from
 * it occurs in at most one paper, or is newer than the snapshot: either way, rare); otherwise
 * straight from fts5vocab.
 */
export function docFreqs(sq: SQLite.Database, terms: string[]): Map<string, number> {
  const out = new Map<string, number>();
  const uniq = [...new Set(terms)];
  const snap = snapshotSize(sq) > 0;
  const table = snap ? 'search_df' : 'papers_fts_vocab';
  const col = snap ? 'df' : 'doc';
  for (let i = 0; i < uniq.length; i += 200) {
    const chunk = uniq.slice(i, i + 200);
    const rows = stmt(sq, `SELECT term, ${col} AS doc FROM ${table} WHERE term IN (${chunk.map(() => '?').join(',')})`).all(...chunk) as { term: string; doc: number }[];
    for (const r of rows) out.set(r.term, r.doc);
  }
  for (const t of uniq) if (!out.has(t)) out.set(t, snap ? 1 : 0);
  return out;
}

/**
 * What the reranker reads from the index: collection size, average column lengths and document
 * frequencies of stems. Synchronous on purpose (the reranker runs per query on the SQLite hot
 * path); the PostgreSQL backend serves it from an in-memory copy of its df snapshot.
 */
export interface TermStats {
  collection(): CollectionStats;
  docFreqs(terms: string[]): Map<string, number>;
}

const termStatsCache = new WeakMap<SQLite.Database, TermStats>();

export function sqliteTermStats(sq: SQLite.Database): TermStats {
  let ts = termStatsCache.get(sq);
  if (!ts) termStatsCache.set(sq, (ts = { collection: () => collectionStats(sq), docFreqs: (terms) => docFreqs(sq, terms) }));
  return ts;
}

export function idf(docs: number, df: number): number {
  return Math.log(1 + (docs - df + 0.5) / (df + 0.5));
}

const statements = new WeakMap<SQLite.Database, Map<string, SQLite.Statement>>();

/** Prepared statements cached per connection: preparing costs more than running most of ours. */
export function stmt(sq: SQLite.Database, sql: string): SQLite.Statement {
  let m = statements.get(sq);
  if (!m) statements.set(sq, (m = new Map()));
  let s = m.get(sql);
  if (!s) {
    if (m.size > 500) m.clear();
    s = sq.prepare(sql);
    m.set(sql, s);
  }
  return s;
}
