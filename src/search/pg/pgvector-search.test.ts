/**
 * Search with pgvector, end to end on PGlite (the Debian PostgreSQL 15 of the suite has no
 * pgvector): the app's migrations, papers written through the repository, the advisory-lock
 * embedder storing into paper_vectors, and semantic search / similar papers answered in SQL,
 * checked against brute-force cosine over the same vectors.
 */
import { TEST_PG_URL } from '../../../test/support/pg.ts';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { sql } from 'kysely';
import type { Db } from '../../storage/db.ts';
import type { PaperRecord } from '../../domain/paper.ts';
import { upsertPapers } from '../../storage/papers-repo.ts';
import { normalise, paperText, type EmbeddingProvider } from '../embeddings/provider.ts';
import { configureSearch, syncSearchIndex, vectorBackend } from '../context.ts';
import { searchPapers, similarPapers } from '../index.ts';
import { words } from '../tokenize.ts';
import { pgliteDb } from './pglite-db.ts';
import { chooseVectorBackend, pgvectorNearest, pgvectorSimilar } from './pgvector-search.ts';

const DIMS = 48;

/** Hashed bag of words: deterministic, untrained, and close for texts that share words. */
class HashProvider implements EmbeddingProvider {
  readonly name = 'hash';
  readonly model = 'test-1';
  readonly dimensions = DIMS;
  vec(text: string): Float32Array {
    const v = new Float32Array(DIMS);
    for (const w of words(text)) {
      let h = 2166136261;
      for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 16777619) >>> 0;
      v[h % DIMS] += 1;
      v[(h >>> 8) % DIMS] += 0.5;
    }
    return normalise(v);
  }
  async embed(texts: string[]): Promise<Float32Array[]> {
    return texts.map((t) => this.vec(t));
  }
}

const SUBJECTS = ['KV cache compression', 'diffusion video generation', 'graph neural networks for molecules', 'speculative decoding', 'reward models from human feedback', 'protein structure prediction'];
const METHODS = ['quantization', 'sparse attention', 'distillation', 'contrastive pretraining', 'retrieval', 'curriculum learning', 'mixture of experts'];

function corpus(n: number): PaperRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const s = SUBJECTS[i % SUBJECTS.length];
    const m = METHODS[(i * 5) % METHODS.length];
    return {
      id: `2502.${String(20000 + i).padStart(5, '0')}`,
      version: 1,
      title: `${s} with ${m} ${i % 4 ? '' : 'at scale'}`.trim(),
      abstract: `We study ${s} using ${m}. Experiment ${i} reports ${i % 3 ? 'latency' : 'accuracy'} on ${METHODS[i % METHODS.length]} baselines.`,
      authors: ['Ada Lovelace'],
      categories: i % 2 ? ['cs.CL'] : ['cs.LG'],
      comment: null,
      journalRef: null,
      doi: null,
      publishedAt: '2025-02-10',
      updatedAt: null,
      listedDay: null,
      source: 'test',
    };
  });
}

const provider = new HashProvider();
const papers = corpus(48);
let db: Db;

/** paper id -> similarity, best first, over the provider's own vectors. */
function bruteForce(q: Float32Array, k: number, skip?: string): [string, number][] {
  return papers
    .filter((p) => p.id !== skip)
    .map((p): [string, number] => {
      const v = provider.vec(paperText(p.title, p.abstract ?? ""));
      let dot = 0;
      for (let i = 0; i < DIMS; i++) dot += v[i] * q[i];
      return [p.id, dot];
    })
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, k);
}

/** Ties in similarity may come in either order: compare the similarity sequence and the set above the k-th value. */
function assertSameTop(got: { id: string; sim: number }[], want: [string, number][], what: string): void {
  assert.equal(got.length, want.length, `${what}: count`);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i].sim - want[i][1]) < 1e-4, `${what}: rank ${i + 1} similarity ${got[i].sim} vs ${want[i][1]}`);
  const last = want[want.length - 1][1];
  const sure = new Set(want.filter(([, s]) => s > last + 1e-4).map(([id]) => id));
  for (const id of sure) assert.ok(got.some((g) => g.id === id), `${what}: ${id} missing`);
}

async function docId(paperId: string): Promise<number> {
  return Number((await sql<{ k: number }>`SELECT doc_id AS k FROM search_docs WHERE paper_id = ${paperId}`.execute(db.kysely)).rows[0].k);
}

before(async () => {
  ({ db } = await pgliteDb());
  await upsertPapers(db, papers, '2025-02-12T00:00:00.000Z');
  const ctx = await configureSearch(db, { provider });
  assert.equal(vectorBackend(ctx), 'pgvector');
  assert.equal(await syncSearchIndex(db), papers.length);
});

after(async () => {
  await db?.close();
});

test('the embedder stores into paper_vectors under an HNSW index, not the per-process store', async () => {
  const n = async (q: ReturnType<typeof sql>) => Number(Object.values((await q.execute(db.kysely)).rows[0] as object)[0]);
  assert.equal(await n(sql`SELECT count(*) FROM paper_vectors`), papers.length);
  assert.equal(await n(sql`SELECT count(*) FROM search_vectors`), 0);
  assert.equal(await n(sql`SELECT count(*) FROM search_docs WHERE embedded = 0`), 0);
  assert.equal(await n(sql`SELECT count(*) FROM pg_indexes WHERE indexname = 'paper_vectors_hnsw'`), 1);
  const meta = (await sql<{ key: string; value: string }>`SELECT key, value FROM search_meta WHERE key LIKE 'vector.%'`.execute(db.kysely)).rows;
  const m = new Map(meta.map((r) => [r.key, r.value]));
  assert.equal(m.get('vector.backend'), 'pgvector');
  assert.equal(m.get('vector.count'), String(papers.length));
  assert.match(m.get('vector.signature')!, /\|pgvector$/);
  assert.equal(await syncSearchIndex(db), 0, 'nothing pending: nothing re-embedded');
});

test('nearest neighbours in SQL match brute-force cosine', async () => {
  for (const q of ['KV cache quantization latency', 'protein structure distillation', 'speculative decoding with retrieval']) {
    const qv = provider.vec(q);
    const want = bruteForce(qv, 10);
    const got = await pgvectorNearest(db.pg!, qv, 10);
    const ids = new Map<number, string>();
    for (const [k] of got) ids.set(k, (await sql<{ p: string }>`SELECT paper_id AS p FROM search_docs WHERE doc_id = ${k}`.execute(db.kysely)).rows[0].p);
    assertSameTop(got.map(([k, sim]) => ({ id: ids.get(k)!, sim })), want, q);
  }
});

test('semantic search ranks by the pgvector distances', async () => {
  const q = 'graph neural networks for molecules contrastive pretraining';
  const r = await searchPapers(db, { q, mode: 'semantic', limit: 8, facets: false, snippets: false });
  assert.ok(r.hits.length === 8);
  const want = bruteForce(provider.vec(q), 8);
  assertSameTop(r.hits.map((h) => ({ id: h.paper.id, sim: h.score })), want, 'semantic');
  const hybrid = await searchPapers(db, { q, mode: 'hybrid', limit: 5, facets: false });
  assert.ok(hybrid.hits.length > 0 && hybrid.hits.every((h) => h.paper.title.includes('graph') || (h.paper.abstract ?? '').includes('contrastive')));
});

test('similar papers: the stored vector\'s neighbours, never the paper itself', async () => {
  for (const p of [papers[0], papers[7], papers[31]]) {
    const got = await similarPapers(db, p.id, 6);
    assert.ok(!got.some((g) => g.paperId === p.id), 'itself excluded');
    assertSameTop(got.map((g) => ({ id: g.paperId, sim: g.score })), bruteForce(provider.vec(paperText(p.title, p.abstract ?? "")), 6, p.id), `similar to ${p.id}`);
    const raw = await pgvectorSimilar(db.pg!, await docId(p.id), 6);
    assert.equal(raw!.length, 6);
  }
  assert.equal(await pgvectorSimilar(db.pg!, 987_654, 5), null, 'no stored vector: null, the caller embeds the text');
});

test('a changed text is re-embedded in place; a deleted paper takes its vector with it', async () => {
  const changed = papers[3];
  const k = await docId(changed.id);
  await upsertPapers(db, [{ ...changed, title: 'Protein structure prediction with sparse attention', version: 2 }], '2025-02-13T00:00:00.000Z');
  assert.equal(await syncSearchIndex(db), 1);
  const near = await pgvectorNearest(db.pg!, provider.vec('Protein structure prediction with sparse attention'), 3);
  assert.ok(near.some(([id]) => id === k), 'found by its new text');

  const gone = papers[5];
  const kg = await docId(gone.id);
  await sql`DELETE FROM papers WHERE id = ${gone.id}`.execute(db.kysely);
  assert.equal(Number((await sql<{ n: number }>`SELECT count(*) AS n FROM paper_vectors WHERE doc_id = ${kg}`.execute(db.kysely)).rows[0].n), 0);
  const sim = await similarPapers(db, papers[11].id, 47);
  assert.ok(!sim.some((s) => s.paperId === gone.id));
});

test('detection: pgvector on PGlite, usearch when disabled, on a server without it, or for dimensions HNSW cannot index', async () => {
  assert.equal(await chooseVectorBackend(db.pg!, DIMS, {}), 'pgvector');
  assert.equal(await chooseVectorBackend(db.pg!, DIMS, { SEARCH_PGVECTOR: '0' }), 'usearch');
  assert.equal(await chooseVectorBackend(db.pg!, 3072, {}), 'usearch');
  const plain = await pgliteDb({ pgvector: false });
  try {
    assert.equal(await chooseVectorBackend(plain.db.pg!, DIMS, {}), 'usearch');
  } finally {
    await plain.db.close();
  }
});

test('detection on the real server (no pgvector extension): usearch', { skip: !TEST_PG_URL && 'needs TEST_DATABASE_URL (a PostgreSQL cluster)' }, async () => {
  const pool = new pg.Pool({ connectionString: TEST_PG_URL!, connectionTimeoutMillis: 2000, max: 1 });
  pool.on('error', () => {});
  try {
    const available = (await pool.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'vector'`)).rows.length > 0;
    assert.equal(await chooseVectorBackend(pool, DIMS, {}), available ? 'pgvector' : 'usearch');
  } finally {
    await pool.end();
  }
});
