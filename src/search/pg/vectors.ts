import type pg from 'pg';
import type { Db } from '../../storage/db.ts';
import { isTrainable, paperText, type EmbeddingProvider } from '../embeddings/provider.ts';
import { newIndex, signature, type SyncOptions, type UIndex } from '../vectors.ts';
import { chooseVectorBackend, databaseIndex, finishPgvectors, hasPgvectors, pgvectorSignature, resetPgvectors, storePgvectors, type VectorBackend } from './pgvector-search.ts';
import { countVectors } from './pgvector-store.ts';

/**
 * The vector index on PostgreSQL. With pgvector (pgvector-search.ts) the vectors and their HNSW
 * index are the database's `paper_vectors`, queried in SQL; `index` then only stands for it.
 * Without it, every process holds its own usearch index
 * in memory, built at start from `search_vectors` and kept current by polling `search_changes`
 * (appended by triggers whenever a vector is written or a paper deleted). Embedding is done by
 * whichever process holds the advisory lock (an import, `index sync`, or one `serve`); the others
 * only read. A vector is stored only if its paper's text is still the one it was computed from
 * (`rev`) and the model is still the current one, so a race costs a re-embedding, never a stale vector.
 */
export interface PgVectorState {
  provider: EmbeddingProvider;
  /** Chosen once per process at start: see chooseVectorBackend. */
  backend: VectorBackend;
  /** pgvector: the vector count as of the last poll (index status; an estimate between syncs). */
  count: number;
  index: UIndex | null;
  /** Signature of the vectors in `index`; null: none loaded. */
  signature: string | null;
  /** Each indexed paper's text revision, so a replayed change is not re-added. */
  revs: Map<number, number>;
  lastSeq: number;
  /** Sequence numbers skipped over (a transaction still open, or rolled back), with when first seen. */
  gaps: Map<number, number>;
  lastPoll: number;
}

const LOCK = "hashtext('dailypapers.search_vectors')";
const PAGE = 5000;
const BATCH = 1000;
/** An open transaction's change shows up well within this; older gaps were rolled back. */
const GAP_TTL_MS = 60_000;
const POLL_MS = 1000;

type Q = Pick<pg.Pool, 'query'>;

function toBytes(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

function fromBytes(b: Buffer): Float32Array {
  return new Float32Array(new Uint8Array(b).buffer);
}

async function meta(q: Q, key: string): Promise<string | null> {
  const r = await q.query<{ value: string }>('SELECT value FROM search_meta WHERE key = $1', [key]);
  return r.rows[0]?.value ?? null;
}

async function setMeta(q: Q, pairs: [string, string][]): Promise<void> {
  await q.query('INSERT INTO search_meta(key, value) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value', [pairs.map((p) => p[0]), pairs.map((p) => p[1])]);
}

type BlobModel = EmbeddingProvider & { storageKey: string; toBuffer(): Buffer | null; loadBuffer(b: Uint8Array): void };
const storesModel = (p: EmbeddingProvider): p is BlobModel => typeof (p as BlobModel).toBuffer === 'function';

/** The signature this process's vectors are stored under. */
export function sigOf(st: Pick<PgVectorState, 'provider' | 'backend'>): string {
  const s = signature(st.provider);
  return st.backend === 'pgvector' ? pgvectorSignature(s) : s;
}

/** The built-in model another process trained, if it differs from ours. */
async function adoptModel(q: Q, st: PgVectorState): Promise<void> {
  const p = st.provider;
  if (!storesModel(p)) return;
  const sig = await meta(q, 'vector.signature');
  if (sig && sig === sigOf(st)) return;
  const r = await q.query<{ value: Buffer }>('SELECT value FROM search_blobs WHERE key = $1', [p.storageKey]);
  if (r.rows[0]) {
    try {
      p.loadBuffer(r.rows[0].value);
    } catch {
      // Unreadable: retrained by the next sync.
    }
  }
}

export async function openPgVectorState(db: Db, provider: EmbeddingProvider): Promise<PgVectorState> {
  const backend = await chooseVectorBackend(db.pg!, provider.dimensions);
  const st: PgVectorState = { provider, backend, count: 0, index: null, signature: null, revs: new Map(), lastSeq: 0, gaps: new Map(), lastPoll: 0 };
  await adoptModel(db.pg!, st);
  await refreshPgVectors(db, st, true);
  return st;
}

function addVectors(st: PgVectorState, rows: { k: number; rev: number; vec: Float32Array }[]): void {
  const idx = st.index!;
  const fresh = rows.filter((r) => st.revs.get(r.k) !== r.rev && r.vec.length === idx.dimensions());
  if (!fresh.length) return;
  const keys = BigUint64Array.from(fresh.map((r) => BigInt(r.k)));
  const present = idx.contains(keys) as boolean[];
  const stale = keys.filter((_, i) => present[i]);
  if (stale.length) idx.remove(stale);
  if (idx.capacity() < idx.size() + fresh.length) (idx as unknown as { reserve?: (n: number) => void }).reserve?.(Math.max(idx.size() * 2, idx.size() + fresh.length));
  const d = idx.dimensions();
  const flat = new Float32Array(fresh.length * d);
  fresh.forEach((r, i) => flat.set(r.vec, i * d));
  idx.add(keys, flat);
  for (const r of fresh) st.revs.set(r.k, r.rev);
}

/** Builds the index from every stored vector. */
async function fullLoad(q: Q, st: PgVectorState, sig: string): Promise<void> {
  // The log position first: changes made while loading are replayed, never missed.
  st.lastSeq = Number((await q.query<{ n: number }>('SELECT coalesce(max(seq), 0) AS n FROM search_changes')).rows[0].n);
  st.gaps.clear();
  st.revs.clear();
  st.index = newIndex(st.provider.dimensions);
  st.signature = sig;
  let after = 0;
  for (;;) {
    const r = await q.query<{ k: number; rev: number; vec: Buffer }>('SELECT doc_id AS k, rev, vec FROM search_vectors WHERE doc_id > $1 ORDER BY doc_id LIMIT $2', [after, PAGE]);
    if (!r.rows.length) break;
    after = r.rows[r.rows.length - 1].k;
    addVectors(st, r.rows.map((x) => ({ k: x.k, rev: x.rev, vec: fromBytes(x.vec) })));
  }
}

/**
 * Brings this process's index up to date with the database: a full load when the model changed
 * (or the log was pruned past us), else the changes since the last poll. `force` skips the throttle.
 */
export async function refreshPgVectors(db: Db, st: PgVectorState, force = false): Promise<void> {
  if (!force && Date.now() - st.lastPoll < POLL_MS) return;
  await catchUp(db.pg!, st);
}

async function catchUp(q: Q, st: PgVectorState): Promise<void> {
  st.lastPoll = Date.now();
  const head = (
    await q.query<{ sig: string | null; lo: number | null; n: string | null }>(
      "SELECT (SELECT value FROM search_meta WHERE key = 'vector.signature') AS sig, (SELECT min(seq) FROM search_changes) AS lo, (SELECT value FROM search_meta WHERE key = 'vector.count') AS n",
    )
  ).rows[0];
  if (!head.sig) {
    st.index = null;
    st.signature = null;
    return;
  }
  if (st.backend === 'pgvector') return pgvectorHead(q, st, head.sig, Number(head.n ?? 0));
  if (head.sig !== st.signature) {
    await adoptModel(q, st);
    if (head.sig !== sigOf(st) || !st.provider.dimensions) {
      // Built by another model than ours: unusable until someone rebuilds.
      st.index = null;
      st.signature = null;
      return;
    }
    await fullLoad(q, st, head.sig);
    return;
  }
  if (head.lo !== null && Number(head.lo) > st.lastSeq + 1 && st.lastSeq > 0) {
    await fullLoad(q, st, head.sig);
    return;
  }
  for (;;) {
    const now = Date.now();
    for (const [s, t] of st.gaps) if (now - t > GAP_TTL_MS) st.gaps.delete(s);
    const r = await q.query<{ seq: number; k: number; deleted: boolean; rev: number | null; vec: Buffer | null }>(
      `SELECT c.seq, c.doc_id AS k, c.deleted, v.rev, v.vec FROM search_changes c LEFT JOIN search_vectors v ON v.doc_id = c.doc_id AND NOT c.deleted
       WHERE c.seq > $1 OR c.seq = ANY($2::bigint[]) ORDER BY c.seq LIMIT $3`,
      [st.lastSeq, [...st.gaps.keys()], PAGE],
    );
    const adds: { k: number; rev: number; vec: Float32Array }[] = [];
    for (const row of r.rows) {
      const seq = Number(row.seq);
      st.gaps.delete(seq);
      if (seq > st.lastSeq) {
        for (let s = st.lastSeq + 1; s < seq && st.gaps.size < 10_000; s++) st.gaps.set(s, now);
        st.lastSeq = seq;
      }
      if (row.deleted) {
        const key = BigInt(row.k);
        if (st.index && (st.index.contains(key) as unknown as boolean)) st.index.remove(key);
        st.revs.delete(row.k);
      } else if (row.vec && row.rev !== null) adds.push({ k: row.k, rev: row.rev, vec: fromBytes(row.vec) });
    }
    if (st.index && adds.length) addVectors(st, adds);
    if (r.rows.length < PAGE) break;
  }
}

/** pgvector: nothing to load, only whether the table holds vectors of our model. */
async function pgvectorHead(q: Q, st: PgVectorState, sig: string, count: number): Promise<void> {
  if (sig !== st.signature) {
    await adoptModel(q, st);
    if (sig !== sigOf(st) || !st.provider.dimensions) {
      st.index = null;
      st.signature = null;
      return;
    }
    st.signature = sig;
  }
  const dims = st.provider.dimensions;
  st.count = count;
  st.index = (await hasPgvectors(q)) ? databaseIndex(dims, () => Math.max(1, st.count)) : null;
}

async function reset(c: Q, st: PgVectorState): Promise<void> {
  const p = st.provider;
  const sig = sigOf(st);
  await c.query('BEGIN');
  try {
    // TRUNCATE logs nothing: the other processes notice the new signature and reload instead.
    await c.query('TRUNCATE search_vectors');
    if (st.backend === 'pgvector') await resetPgvectors(c, p.dimensions);
    await c.query('UPDATE search_docs SET embedded = 0 WHERE embedded <> 0');
    const blob = storesModel(p) ? p.toBuffer() : null;
    if (blob) await c.query('INSERT INTO search_blobs(key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value', [(p as BlobModel).storageKey, blob]);
    await setMeta(c, [['vector.signature', sig], ['vector.provider', p.name], ['vector.model', p.model]]);
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {});
    throw err;
  }
  if (st.backend === 'pgvector') {
    st.signature = sig;
    st.index = null;
    st.count = 0;
  } else await fullLoad(c, st, sig);
}

/**
 * Trains the built-in model if needed and embeds every pending paper, storing the vectors for all
 * processes. Without the lock (another process is doing it) this only catches up. Returns how many
 * papers this call embedded.
 */
export async function syncPgVectors(db: Db, st: PgVectorState, opts: SyncOptions = {}): Promise<number> {
  const client = await db.pg!.connect();
  let locked = false;
  try {
    locked = (await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${LOCK}) AS ok`)).rows[0].ok;
    if (!locked) {
      await catchUp(client, st);
      return 0;
    }
    return await syncLocked(client, st, opts);
  } finally {
    if (locked) await client.query(`SELECT pg_advisory_unlock(${LOCK})`).catch(() => {});
    client.release();
  }
}

async function syncLocked(c: pg.PoolClient, st: PgVectorState, opts: SyncOptions): Promise<number> {
  const progress = opts.onProgress ?? (() => {});
  const p = st.provider;
  const corpus = Number((await c.query<{ n: number }>('SELECT count(*) AS n FROM search_docs')).rows[0].n);
  await adoptModel(c, st);
  if (isTrainable(p) && (p.needsTraining(corpus) || (opts.rebuild && corpus > 0))) {
    progress({ phase: 'train', done: 0, total: corpus, message: 'training the built-in model' });
    // The trainer reads synchronously: the texts are fetched first (it samples them itself).
    const texts: string[] = [];
    let after = 0;
    for (;;) {
      const r = await c.query<{ k: number; t: string; a: string }>('SELECT d.doc_id AS k, p.title AS t, p.abstract AS a FROM search_docs d JOIN papers p ON p.id = d.paper_id WHERE d.doc_id > $1 ORDER BY d.doc_id LIMIT $2', [after, PAGE]);
      if (!r.rows.length) break;
      after = r.rows[r.rows.length - 1].k;
      for (const x of r.rows) texts.push(paperText(x.t, x.a));
    }
    await p.train(() => texts, corpus, (message) => progress({ phase: 'train', done: 0, total: corpus, message }));
  }
  if (isTrainable(p) && !(p as { trained?: boolean }).trained) return 0;
  const probe = (p as { probe?: () => Promise<void> }).probe;
  if (!p.dimensions && probe) await probe.call(p);
  const sig = sigOf(st);
  if (opts.rebuild || (await meta(c, 'vector.signature')) !== sig) await reset(c, st);
  else await catchUp(c, st);

  const total = Number((await c.query<{ n: number }>('SELECT count(*) AS n FROM search_docs WHERE embedded = 0')).rows[0].n);
  let done = 0;
  let after = 0;
  for (;;) {
    const r = await c.query<{ k: number; rev: number; t: string; a: string }>(
      'SELECT d.doc_id AS k, d.rev, p.title AS t, p.abstract AS a FROM search_docs d JOIN papers p ON p.id = d.paper_id WHERE d.embedded = 0 AND d.doc_id > $1 ORDER BY d.doc_id LIMIT $2',
      [after, BATCH],
    );
    if (!r.rows.length) break;
    after = r.rows[r.rows.length - 1].k;
    const vecs = await p.embed(r.rows.map((x) => paperText(x.t, x.a)), 'document');
    done += r.rows.length;
    if (st.backend === 'pgvector') {
      await storePgvectors(c, r.rows.map((x, i) => ({ k: x.k, rev: x.rev, vec: vecs[i] })), sig);
      progress({ phase: 'embed', done, total });
      continue;
    }
    const w = await c.query<{ k: number }>(
      `WITH v AS (SELECT * FROM unnest($1::int[], $2::int[], $3::bytea[]) AS t(k, rev, vec)),
            m AS (UPDATE search_docs d SET embedded = 1 FROM v WHERE d.doc_id = v.k AND d.rev = v.rev
                    AND (SELECT value FROM search_meta WHERE key = 'vector.signature') = $4 RETURNING v.k, v.rev, v.vec)
       INSERT INTO search_vectors(doc_id, rev, vec) SELECT k, rev, vec FROM m
         ON CONFLICT (doc_id) DO UPDATE SET rev = EXCLUDED.rev, vec = EXCLUDED.vec RETURNING doc_id AS k`,
      [r.rows.map((x) => x.k), r.rows.map((x) => x.rev), vecs.map(toBytes), sig],
    );
    const stored = new Set(w.rows.map((x) => x.k));
    addVectors(st, r.rows.map((x, i) => ({ k: x.k, rev: x.rev, vec: vecs[i] })).filter((x) => stored.has(x.k)));
    progress({ phase: 'embed', done, total });
  }
  // Every process re-reads the log within seconds; an hour's history is plenty.
  await c.query("DELETE FROM search_changes WHERE at < now() - interval '1 hour'");
  if (st.backend === 'pgvector') {
    await finishPgvectors(c, p.dimensions);
    st.count = await countVectors(c);
    st.index = st.count ? databaseIndex(p.dimensions, () => Math.max(1, st.count)) : null;
    await setMeta(c, [['vector.count', String(st.count)], ['vector.backend', 'pgvector']]);
    return done;
  }
  await setMeta(c, [['vector.count', String(st.index?.size() ?? 0)], ['vector.backend', 'usearch']]);
  return done;
}
