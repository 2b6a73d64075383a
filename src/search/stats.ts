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
  const row = sq.prepare('SELECT block FROM papers_fts_data WHERE id = 1').get() as { block: Uint8Array } | undefined;
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

/** Document frequencies of stemmed terms (absent terms get 0). */
export function docFreqs(sq: SQLite.Database, terms: string[]): Map<string, number> {
  const out = new Map<string, number>();
  const uniq = [...new Set(terms)];
  for (let i = 0; i < uniq.length; i += 200) {
    const chunk = uniq.slice(i, i + 200);
    const rows = sq.prepare(`SELECT term, doc FROM papers_fts_vocab WHERE term IN (${chunk.map(() => '?').join(',')})`).all(...chunk) as { term: string; doc: number }[];
    for (const r of rows) out.set(r.term, r.doc);
  }
  for (const t of uniq) if (!out.has(t)) out.set(t, 0);
  return out;
}

export function idf(docs: number, df: number): number {
  return Math.log(1 + (docs - df + 0.5) / (df + 0.5));
}
