import type { UIndex } from '../vectors.ts';
import { detectPgvector, dropVectorTable, ensureVectorTable, MAX_INDEXED_DIMS, TABLE, toVectorLiteral, vectorDims, type Queryable } from './pgvector-store.ts';

/**
 * The search side of pgvector: when the server has the extension, paper vectors live in
 * `paper_vectors` under an HNSW index and nearest-neighbour queries are SQL, so no process builds
 * or polls an index of its own. Everything here runs on a bare `Queryable` (pg.Pool, a pool client
 * or PGlite), which is how the tests exercise it: the Debian PostgreSQL here has no pgvector.
 */
export type VectorBackend = 'pgvector' | 'usearch';

/**
 * pgvector when the extension is usable and the model's vectors fit its HNSW index;
 * `SEARCH_PGVECTOR=0` keeps the usearch index anyway (every process on a database must agree:
 * the two store vectors in different tables under different signatures).
 */
export async function chooseVectorBackend(q: Queryable, dims: number, env: NodeJS.ProcessEnv = process.env): Promise<VectorBackend> {
  if (env.SEARCH_PGVECTOR === '0' || dims > MAX_INDEXED_DIMS) return 'usearch';
  try {
    return (await detectPgvector(q)) ? 'pgvector' : 'usearch';
  } catch {
    return 'usearch';
  }
}

/**
 * The signature recorded in `search_meta` for vectors kept in pgvector: distinct from the usearch
 * one (int8-quantised, another table), so switching backends re-embeds rather than reading nothing.
 */
export function pgvectorSignature(usearchSignature: string): string {
  return usearchSignature.replace(/\|[^|]*$/, '|pgvector');
}

/**
 * Callers outside search only ask whether an index exists and how big it is (serve's upkeep decides
 * between a full build and an incremental sync on `index`): this answers for the database's.
 */
export function databaseIndex(dims: number, size: () => number): UIndex {
  return { size, dimensions: () => dims } as unknown as UIndex;
}

/** Whether the table holds any vector (one index probe, not a count). */
export async function hasPgvectors(q: Queryable): Promise<boolean> {
  const r = await q.query<{ t: boolean }>(`SELECT to_regclass('${TABLE}') IS NOT NULL AS t`);
  if (!r.rows[0]?.t) return false;
  return (await q.query(`SELECT 1 FROM ${TABLE} LIMIT 1`)).rows.length > 0;
}

/**
 * Empties the store for a new model (inside the caller's transaction). The HNSW index is dropped
 * too: pgvector builds it several times faster over a loaded table than row by row, so
 * `finishPgvectors` recreates it after the bulk embedding.
 */
export async function resetPgvectors(q: Queryable, dims: number): Promise<void> {
  const have = await vectorDims(q);
  if (have !== null && have !== dims) await dropVectorTable(q);
  else if (have !== null) await q.query(`TRUNCATE ${TABLE}`);
  // Deleting a paper deletes its search_docs row, and with it the vector.
  await q.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (doc_id bigint PRIMARY KEY REFERENCES search_docs(doc_id) ON DELETE CASCADE, embedding vector(${dims}) NOT NULL)`);
  await q.query(`DROP INDEX IF EXISTS ${TABLE}_hnsw`);
}

/** Builds the HNSW index if missing (after a reset's bulk load; a no-op otherwise). */
export async function finishPgvectors(q: Queryable, dims: number): Promise<void> {
  const exists = (await q.query(`SELECT 1 FROM pg_indexes WHERE indexname = '${TABLE}_hnsw'`)).rows.length > 0;
  if (exists) return;
  // The graph of 200k papers outgrows the default 64 MB, and a build that spills is several times slower.
  await q.query("SELECT set_config('maintenance_work_mem', '512MB', false)");
  try {
    await ensureVectorTable(q, dims);
  } finally {
    await q.query('RESET maintenance_work_mem').catch(() => {});
  }
}

/**
 * Stores freshly computed vectors and marks their papers embedded, in one statement, and only
 * where the paper's text is still the one embedded (`rev`) and the model still the current one.
 * Returns the doc ids stored.
 */
export async function storePgvectors(q: Queryable, rows: { k: number; rev: number; vec: Float32Array }[], sig: string): Promise<number[]> {
  if (!rows.length) return [];
  const r = await q.query<{ k: number | string }>(
    `WITH v AS (SELECT * FROM unnest($1::int[], $2::int[], $3::text[]) AS t(k, rev, vec)),
          m AS (UPDATE search_docs d SET embedded = 1 FROM v WHERE d.doc_id = v.k AND d.rev = v.rev
                  AND (SELECT value FROM search_meta WHERE key = 'vector.signature') = $4 RETURNING v.k, v.vec)
     INSERT INTO ${TABLE}(doc_id, embedding) SELECT k, vec::vector FROM m
       ON CONFLICT (doc_id) DO UPDATE SET embedding = EXCLUDED.embedding RETURNING doc_id AS k`,
    [rows.map((x) => x.k), rows.map((x) => x.rev), rows.map((x) => toVectorLiteral(x.vec)), sig],
  );
  return r.rows.map((x) => Number(x.k));
}

type Pool = Queryable & { connect(): Promise<Queryable & { release(): void }> };
const efOf = new WeakMap<object, number>();

/**
 * HNSW returns at most `hnsw.ef_search` rows (default 40), fewer than the pipeline's 100-500
 * candidates, and the setting is per session: so a pooled connection is checked out and given the
 * value the query needs (remembered per connection, so usually no extra round trip).
 */
async function withEfSearch<T>(q: Queryable, k: number, fn: (s: Queryable) => Promise<T>): Promise<T> {
  // 96 is the usearch index's expansion_search, so the two backends explore alike; 1000 is pgvector's ceiling.
  const ef = Math.min(1000, Math.max(96, k));
  const pool = typeof (q as Pool).connect === 'function' ? (q as Pool) : null;
  const s = pool ? await pool.connect() : q;
  try {
    if (efOf.get(s) !== ef) {
      await s.query(`SELECT set_config('hnsw.ef_search', '${ef}', false)`);
      efOf.set(s, ef);
    }
    return await fn(s);
  } finally {
    if (pool) (s as Queryable & { release(): void }).release();
  }
}

const toSims = (rows: { doc_id: number | string; d: number | null }[], k: number, exclude?: number): [number, number][] => {
  const out: [number, number][] = [];
  for (const r of rows) {
    const id = Number(r.doc_id);
    if (id !== exclude && r.d !== null && out.length < k) out.push([id, 1 - Number(r.d)]);
  }
  return out;
};

/** Nearest papers to a vector: `[docId, cosine similarity]`, best first (as vectors.ts `nearest`). */
export async function pgvectorNearest(q: Queryable, vector: Float32Array, k: number): Promise<[number, number][]> {
  return withEfSearch(q, k, async (s) => {
    const r = await s.query<{ doc_id: number | string; d: number }>(
      `SELECT doc_id, embedding <=> $1::vector AS d FROM ${TABLE} ORDER BY embedding <=> $1::vector LIMIT ${Math.trunc(k)}`,
      [toVectorLiteral(vector)],
    );
    return toSims(r.rows, k);
  });
}

/**
 * The papers nearest to a stored paper's own vector, never the paper itself; null when it has no
 * vector yet (the caller embeds its text instead). The vector never leaves the server.
 */
export async function pgvectorSimilar(q: Queryable, docId: number, k: number): Promise<[number, number][] | null> {
  return withEfSearch(q, k + 1, async (s) => {
    const have = await s.query(`SELECT 1 FROM ${TABLE} WHERE doc_id = $1`, [docId]);
    if (!have.rows.length) return null;
    const self = `(SELECT embedding FROM ${TABLE} WHERE doc_id = $1)`;
    const r = await s.query<{ doc_id: number | string; d: number | null }>(
      `SELECT doc_id, embedding <=> ${self} AS d FROM ${TABLE} ORDER BY embedding <=> ${self} LIMIT ${Math.trunc(k) + 1}`,
      [docId],
    );
    return toSims(r.rows, k, docId);
  });
}
