/**
 * Paper vectors inside PostgreSQL with the pgvector extension: one row per search document and an
 * HNSW index (cosine), so every web instance queries the same index and nothing lives beside the
 * database. Servers without the extension keep a per-instance usearch index instead; callers
 * choose with `detectPgvector`.
 *
 * Written against the smallest query interface that pg.Pool, pg.Client and PGlite all satisfy,
 * because the Debian PostgreSQL 15 in production-like setups here lacks pgvector and the tests run
 * on PGlite (WASM PostgreSQL with the pgvector extension) instead.
 */
export interface Queryable {
  query<T>(text: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

export interface VectorRow {
  docId: number;
  vector: Float32Array;
}

export const TABLE = 'paper_vectors';

/** pgvector indexes `vector` columns of up to 2,000 dimensions with HNSW (halfvec would allow 4,000). */
export const MAX_INDEXED_DIMS = 2000;

/** Rows per INSERT: two parameters a row, each a few KB of text at 256-1024 dimensions. */
const UPSERT_BATCH = 500;

/**
 * True when the `vector` type is usable: the extension is installed in this database, or it is
 * available on the server and this role may create it. A failed CREATE EXTENSION (no privilege)
 * means false, not an error: the caller falls back to usearch.
 */
export async function detectPgvector(q: Queryable): Promise<boolean> {
  if ((await q.query(`SELECT 1 FROM pg_extension WHERE extname = 'vector'`)).rows.length) return true;
  if (!(await q.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'vector'`)).rows.length) return false;
  try {
    await q.query('CREATE EXTENSION IF NOT EXISTS vector');
    return true;
  } catch {
    return false;
  }
}

/** The dimension count of the existing table's column, or null when there is no table yet. */
export async function vectorDims(q: Queryable): Promise<number | null> {
  const { rows } = await q.query<{ dims: number }>(
    `SELECT a.atttypmod AS dims FROM pg_attribute a
      WHERE a.attrelid = to_regclass($1) AND a.attname = 'embedding' AND NOT a.attisdropped`,
    [TABLE],
  );
  return rows.length ? Number(rows[0].dims) : null;
}

/**
 * Creates the table and its HNSW index for `dims`-dimensional vectors. A table built for another
 * dimension count (the embedding model changed) is an error, never silently mixed or dropped: the
 * caller decides to `dropVectorTable` and re-embed.
 */
export async function ensureVectorTable(q: Queryable, dims: number): Promise<void> {
  if (!Number.isInteger(dims) || dims < 1 || dims > MAX_INDEXED_DIMS) {
    throw new Error(`pgvector: ${dims} dimensions cannot be indexed (HNSW on vector(n) takes 1 to ${MAX_INDEXED_DIMS})`);
  }
  if (!(await detectPgvector(q))) throw new Error('pgvector: the "vector" extension is not available on this PostgreSQL server (use the usearch index instead)');
  const have = await vectorDims(q);
  if (have !== null && have !== dims) {
    throw new Error(`pgvector: table ${TABLE} holds ${have}-dimensional vectors but the embedding model gives ${dims}; drop it (dropVectorTable) and re-embed`);
  }
  await q.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (doc_id bigint PRIMARY KEY, embedding vector(${dims}) NOT NULL)`);
  // Defaults (m 16, ef_construction 64) match the usearch index's connectivity and expansion_add.
  await q.query(`CREATE INDEX IF NOT EXISTS ${TABLE}_hnsw ON ${TABLE} USING hnsw (embedding vector_cosine_ops)`);
}

export async function dropVectorTable(q: Queryable): Promise<void> {
  await q.query(`DROP TABLE IF EXISTS ${TABLE}`);
}

/** pgvector's text form. Float32 values print exactly as doubles, so nothing is lost on the way. */
export function toVectorLiteral(v: Float32Array | number[]): string {
  return `[${v.join(',')}]`;
}

async function requireDims(q: Queryable): Promise<number> {
  const dims = await vectorDims(q);
  if (dims === null) throw new Error(`pgvector: table ${TABLE} does not exist; call ensureVectorTable first`);
  return dims;
}

function checkVector(v: Float32Array, dims: number, what: string): void {
  if (v.length !== dims) throw new Error(`pgvector: ${what} has ${v.length} dimensions; table ${TABLE} holds ${dims}`);
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) throw new Error(`pgvector: ${what} has a non-finite value at index ${i} (${v[i]})`);
  }
}

/** Inserts or replaces vectors, in multi-row statements. Every row is checked before anything is written. */
export async function upsertVectors(q: Queryable, rows: VectorRow[]): Promise<number> {
  if (!rows.length) return 0;
  const dims = await requireDims(q);
  for (const r of rows) {
    if (!Number.isSafeInteger(r.docId)) throw new Error(`pgvector: doc id ${r.docId} is not an integer`);
    checkVector(r.vector, dims, `the vector of doc ${r.docId}`);
  }
  for (let i = 0; i < rows.length; i += UPSERT_BATCH) {
    // A doc id twice in one statement would make ON CONFLICT fail ("cannot affect row a second time"): last wins.
    const batch = [...new Map(rows.slice(i, i + UPSERT_BATCH).map((r) => [r.docId, r])).values()];
    const params: unknown[] = [];
    const tuples = batch.map((r) => {
      params.push(r.docId, toVectorLiteral(r.vector));
      return `($${params.length - 1}::bigint, $${params.length}::vector)`;
    });
    await q.query(`INSERT INTO ${TABLE} (doc_id, embedding) VALUES ${tuples.join(', ')}
      ON CONFLICT (doc_id) DO UPDATE SET embedding = EXCLUDED.embedding`, params);
  }
  return rows.length;
}

export async function deleteVectors(q: Queryable, docIds: number[]): Promise<number> {
  if (!docIds.length) return 0;
  const { rows } = await q.query<{ n: number }>(
    `WITH gone AS (DELETE FROM ${TABLE} WHERE doc_id = ANY($1::bigint[]) RETURNING 1) SELECT count(*)::int AS n FROM gone`,
    [docIds],
  );
  return Number(rows[0].n);
}

/**
 * The k nearest documents by cosine distance (0 identical, 2 opposite), nearest first. With the
 * HNSW index this is approximate (hnsw.ef_search, default 40, bounds the candidates examined).
 * The excluded document (a paper's own vector, for "similar papers") is dropped after the scan
 * rather than in SQL, so the index still drives the ORDER BY ... LIMIT.
 */
export async function nearestVectors(q: Queryable, vector: Float32Array, k: number, excludeDocId?: number): Promise<[number, number][]> {
  if (!Number.isInteger(k) || k < 1) throw new Error(`pgvector: k must be a positive integer, got ${k}`);
  const dims = await requireDims(q);
  checkVector(vector, dims, 'the query vector');
  const limit = excludeDocId === undefined ? k : k + 1;
  const { rows } = await q.query<{ doc_id: number | string | bigint; d: number }>(
    `SELECT doc_id, embedding <=> $1::vector AS d FROM ${TABLE} ORDER BY embedding <=> $1::vector LIMIT ${limit}`,
    [toVectorLiteral(vector)],
  );
  const out: [number, number][] = [];
  for (const r of rows) {
    const id = Number(r.doc_id);
    if (id !== excludeDocId && out.length < k) out.push([id, Number(r.d)]);
  }
  return out;
}

export async function countVectors(q: Queryable): Promise<number> {
  if ((await vectorDims(q)) === null) return 0;
  const { rows } = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${TABLE}`);
  return Number(rows[0].n);
}
