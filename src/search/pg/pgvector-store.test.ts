/**
 * The pgvector store on PGlite (PostgreSQL in WASM, with the pgvector extension), in-process: the
 * Debian PostgreSQL 15 used elsewhere in the suite has no pgvector.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import type pg from 'pg';
import { countVectors, deleteVectors, detectPgvector, dropVectorTable, ensureVectorTable, nearestVectors, upsertVectors, vectorDims, type Queryable } from './pgvector-store.ts';

// The module's interface must fit the real pg pool as well as PGlite (type-level check only).
const _poolFits: (p: pg.Pool) => Queryable = (p) => p;
void _poolFits;

const DIMS = 64;
const N = 2000;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function unitVectors(n: number, dims: number, seed: number): Float32Array[] {
  const rand = rng(seed);
  return Array.from({ length: n }, () => {
    const v = new Float32Array(dims);
    let norm = 0;
    for (let i = 0; i < dims; i++) {
      // Box-Muller: uniform directions on the sphere.
      v[i] = Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
      norm += v[i] * v[i];
    }
    norm = Math.sqrt(norm);
    for (let i = 0; i < dims; i++) v[i] /= norm;
    return v;
  });
}

function bruteForce(vectors: Float32Array[], ids: number[], q: Float32Array, k: number): [number, number][] {
  const scored = vectors.map((v, i): [number, number] => {
    let dot = 0;
    for (let j = 0; j < v.length; j++) dot += v[j] * q[j];
    return [ids[i], 1 - dot];
  });
  return scored.sort((a, b) => a[1] - b[1]).slice(0, k);
}

let db: PGlite;
const vectors = unitVectors(N, DIMS, 42);
const ids = vectors.map((_, i) => 1000 + i * 3);
const queries = unitVectors(25, DIMS, 7);

before(async () => {
  db = new PGlite({ extensions: { vector } });
  assert.equal(await detectPgvector(db), true);
  await ensureVectorTable(db, DIMS);
  await upsertVectors(db, vectors.map((v, i) => ({ docId: ids[i], vector: v })));
});

after(async () => {
  await db?.close();
});

test('detection: true where the extension is available, false on a server without it', async () => {
  assert.equal(await detectPgvector(db), true, 'installed: detected again without creating');
  const plain = new PGlite();
  try {
    assert.equal(await detectPgvector(plain), false);
    await assert.rejects(ensureVectorTable(plain, DIMS), /"vector" extension is not available/);
  } finally {
    await plain.close();
  }
});

test('ensureVectorTable is idempotent; another dimension count is refused with a clear error', async () => {
  await ensureVectorTable(db, DIMS);
  assert.equal(await vectorDims(db), DIMS);
  assert.equal(await countVectors(db), N);
  await assert.rejects(ensureVectorTable(db, 384), /holds 64-dimensional vectors but the embedding model gives 384/);
  await assert.rejects(ensureVectorTable(db, 4096), /4096 dimensions cannot be indexed/);
  await assert.rejects(upsertVectors(db, [{ docId: 1, vector: new Float32Array(3) }]), /the vector of doc 1 has 3 dimensions; table paper_vectors holds 64/);
  await assert.rejects(nearestVectors(db, new Float32Array(10), 5), /the query vector has 10 dimensions/);
  await assert.rejects(upsertVectors(db, [{ docId: 2, vector: new Float32Array(DIMS).fill(Number.NaN) }]), /non-finite value at index 0/);
  assert.equal(await countVectors(db), N, 'a rejected batch writes nothing');
});

test('HNSW nearest neighbours: recall@10 >= 0.9 against a brute-force cosine ranking', async () => {
  let found = 0;
  for (const q of queries) {
    const want = new Set(bruteForce(vectors, ids, q, 10).map(([id]) => id));
    const got = await nearestVectors(db, q, 10);
    assert.equal(got.length, 10);
    for (let i = 1; i < got.length; i++) assert.ok(got[i][1] >= got[i - 1][1], 'nearest first');
    found += got.filter(([id]) => want.has(id)).length;
  }
  const recall = found / (queries.length * 10);
  assert.ok(recall >= 0.9, `recall@10 ${recall.toFixed(3)}`);
});

test('a sequential scan is exact: same ids and distances as brute force', async () => {
  // PGlite is one session, so the setting applies to the next queries; restored below.
  await db.query('SET enable_indexscan = off');
  try {
    const plan = (await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT doc_id FROM paper_vectors ORDER BY embedding <=> '[${new Array(DIMS).fill(0.1).join(',')}]' LIMIT 10`)).rows.map((r) => r['QUERY PLAN']).join('\n');
    assert.doesNotMatch(plan, /paper_vectors_hnsw/);
    for (const q of queries.slice(0, 10)) {
      const want = bruteForce(vectors, ids, q, 10);
      const got = await nearestVectors(db, q, 10);
      assert.deepEqual(got.map(([id]) => id), want.map(([id]) => id));
      for (let i = 0; i < 10; i++) assert.ok(Math.abs(got[i][1] - want[i][1]) < 1e-5, `distance ${got[i][1]} vs ${want[i][1]}`);
    }
  } finally {
    await db.query('RESET enable_indexscan');
  }
  const plan = (await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT doc_id FROM paper_vectors ORDER BY embedding <=> '[${new Array(DIMS).fill(0.1).join(',')}]' LIMIT 10`)).rows.map((r) => r['QUERY PLAN']).join('\n');
  assert.match(plan, /paper_vectors_hnsw/, 'the default plan uses the HNSW index');
});

test('a vector finds itself first; excludeDocId leaves it out; upsert replaces', async () => {
  const self = await nearestVectors(db, vectors[5], 3);
  assert.equal(self[0][0], ids[5]);
  assert.ok(self[0][1] < 1e-5);
  const others = await nearestVectors(db, vectors[5], 3, ids[5]);
  assert.equal(others.length, 3);
  assert.ok(!others.some(([id]) => id === ids[5]));

  // Point doc ids[7] where ids[5] points: both now sit at distance ~0 from vectors[5].
  await upsertVectors(db, [{ docId: ids[7], vector: vectors[5] }, { docId: ids[7], vector: vectors[5] }]);
  const twins = (await nearestVectors(db, vectors[5], 2)).map(([id]) => id).sort();
  assert.deepEqual(twins, [ids[5], ids[7]].sort());
  assert.equal(await countVectors(db), N, 'replaced, not added');
  await upsertVectors(db, [{ docId: ids[7], vector: vectors[7] }]);
});

test('deletes remove vectors from results and counts', async () => {
  const target = vectors[11];
  assert.equal(await deleteVectors(db, [ids[11], ids[12], 999_999_999]), 2, 'unknown ids are ignored');
  assert.equal(await countVectors(db), N - 2);
  const got = await nearestVectors(db, target, 5);
  assert.ok(!got.some(([id]) => id === ids[11] || id === ids[12]));
  assert.equal(await deleteVectors(db, []), 0);
  await upsertVectors(db, [11, 12].map((i) => ({ docId: ids[i], vector: vectors[i] })));
  assert.equal(await countVectors(db), N);
});

test('dropVectorTable lets another model dimension start afresh', async () => {
  const other = new PGlite({ extensions: { vector } });
  try {
    assert.equal(await countVectors(other), 0, 'no table yet: zero, not an error');
    await assert.rejects(upsertVectors(other, [{ docId: 1, vector: vectors[0] }]), /does not exist; call ensureVectorTable first/);
    await ensureVectorTable(other, 8);
    await upsertVectors(other, [{ docId: 1, vector: new Float32Array(8).fill(0.5) }]);
    await dropVectorTable(other);
    await ensureVectorTable(other, DIMS);
    assert.equal(await vectorDims(other), DIMS);
  } finally {
    await other.close();
  }
});
