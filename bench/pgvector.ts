/**
 * npm run bench:pgvector [-- --n 20000 --dims 256 --queries 300 --incremental 1000 --data clustered|random]
 *
 * The two vector indexes on the same N random unit vectors: pgvector's HNSW inside PostgreSQL
 * (measured on PGlite, WASM PostgreSQL 18 + pgvector 0.8.7, because the Debian PostgreSQL 15 here
 * has no pgvector; a native server will be faster) against the per-instance usearch index the
 * product uses (src/search/vectors.ts: int8, M 16, expansion_add 64, expansion_search 96).
 *
 * For each: bulk load (pgvector: rows first, then CREATE INDEX, as a rebuild would; usearch:
 * add() in batches of 1,000 as syncVectors does), incremental inserts into the built index (how
 * imports add papers), single-query latency p50/p99 for k = 10, one query at a time, and recall@10
 * against an exact f32 brute-force ranking.
 *
 * --data clustered (default): points scattered around 200 random centres, closer to embeddings of
 * papers (topics) than uniform noise. --data random: uniform on the sphere, the worst case for
 * HNSW at 256 dimensions (recall@10 fell to 0.26-0.40 for both engines at 20k there).
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { newIndex } from '../src/search/vectors.ts';
import { countVectors, detectPgvector, nearestVectors, TABLE, toVectorLiteral, upsertVectors } from '../src/search/pg/pgvector-store.ts';

const { values } = parseArgs({ options: { data: { type: 'string', default: 'clustered' }, n: { type: 'string', default: '20000' }, dims: { type: 'string', default: '256' }, queries: { type: 'string', default: '300' }, incremental: { type: 'string', default: '1000' } } });
const N = Number(values.n);
const DIMS = Number(values.dims);
const Q = Number(values.queries);
const INC = Number(values.incremental);
if (values.data !== 'clustered' && values.data !== 'random') throw new Error(`--data must be clustered or random, got "${values.data}"`);
for (const [name, v] of Object.entries({ n: N, dims: DIMS, queries: Q, incremental: INC })) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer, got "${values[name as keyof typeof values]}"`);
}

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function unitVectors(n: number, seed: number): Float32Array[] {
  const rand = rng(seed);
  return Array.from({ length: n }, () => {
    const v = new Float32Array(DIMS);
    let norm = 0;
    for (let i = 0; i < DIMS; i++) {
      v[i] = Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
      norm += v[i] * v[i];
    }
    norm = Math.sqrt(norm);
    for (let i = 0; i < DIMS; i++) v[i] /= norm;
    return v;
  });
}

const CENTRES = unitVectors(200, 99);

/** Around a random centre; noise of norm ~0.7 keeps neighbourhoods overlapping but not uniform. */
function clustered(n: number, seed: number): Float32Array[] {
  const rand = rng(seed);
  const noise = unitVectors(n, seed + 1000);
  return noise.map((e) => {
    const c = CENTRES[Math.floor(rand() * CENTRES.length)];
    const v = new Float32Array(DIMS);
    let norm = 0;
    for (let i = 0; i < DIMS; i++) {
      v[i] = c[i] + 0.7 * e[i];
      norm += v[i] * v[i];
    }
    norm = Math.sqrt(norm);
    for (let i = 0; i < DIMS; i++) v[i] /= norm;
    return v;
  });
}

const make = (n: number, seed: number) => (values.data === 'clustered' ? clustered(n, seed) : unitVectors(n, seed));

function exactTop10(all: Float32Array[], q: Float32Array): Set<number> {
  const best: [number, number][] = [];
  for (let i = 0; i < all.length; i++) {
    const v = all[i];
    let dot = 0;
    for (let j = 0; j < DIMS; j++) dot += v[j] * q[j];
    if (best.length < 10 || dot > best[best.length - 1][1]) {
      best.push([i, dot]);
      best.sort((a, b) => b[1] - a[1]);
      if (best.length > 10) best.pop();
    }
  }
  return new Set(best.map(([i]) => i));
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

interface Row {
  engine: string;
  boot: number;
  loadPerSec: number;
  indexSecs: number;
  incPerSec: number;
  p50: number;
  p99: number;
  recall: number;
}

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

const base = make(N, 1);
const extra = make(INC, 2);
const queries = make(Q, 3);
const all = [...base, ...extra];
const truth = queries.map((q) => exactTop10(all, q));
const rows: Row[] = [];

async function benchPgvector(): Promise<Row> {
  let t = process.hrtime.bigint();
  const db = new PGlite({ extensions: { vector } });
  if (!(await detectPgvector(db))) throw new Error('pgvector is not available in PGlite');
  const boot = ms(t) / 1000;
  await db.query(`CREATE TABLE ${TABLE} (doc_id bigint PRIMARY KEY, embedding vector(${DIMS}) NOT NULL)`);
  t = process.hrtime.bigint();
  for (let i = 0; i < N; i += 1000) await upsertVectors(db, base.slice(i, i + 1000).map((v, j) => ({ docId: i + j, vector: v })));
  const loadPerSec = N / (ms(t) / 1000);
  t = process.hrtime.bigint();
  // The store's own index definition (ensureVectorTable), built over the loaded rows.
  await db.query(`CREATE INDEX ${TABLE}_hnsw ON ${TABLE} USING hnsw (embedding vector_cosine_ops)`);
  const indexSecs = ms(t) / 1000;
  t = process.hrtime.bigint();
  for (let i = 0; i < INC; i += 100) await upsertVectors(db, extra.slice(i, i + 100).map((v, j) => ({ docId: N + i + j, vector: v })));
  const incPerSec = INC / (ms(t) / 1000);
  if ((await countVectors(db)) !== N + INC) throw new Error('pgvector: row count after loading is wrong');
  const plan = (await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT doc_id FROM ${TABLE} ORDER BY embedding <=> '${toVectorLiteral(queries[0])}' LIMIT 10`)).rows.map((r) => r['QUERY PLAN']).join(' ');
  if (!plan.includes(`${TABLE}_hnsw`)) throw new Error(`pgvector: queries do not use the HNSW index: ${plan}`);
  const lat: number[] = [];
  let hits = 0;
  for (let i = 0; i < Q; i++) {
    t = process.hrtime.bigint();
    const got = await nearestVectors(db, queries[i], 10);
    lat.push(ms(t));
    hits += got.filter(([id]) => truth[i].has(id)).length;
  }
  const first: Row = { engine: 'pgvector 0.8.7 on PGlite (HNSW m16 efc64, ef_search 40 default, f32)', boot, loadPerSec, indexSecs, incPerSec, p50: pct(lat, 50), p99: pct(lat, 99), recall: hits / (Q * 10) };
  // The same search effort as usearch's expansion_search (PGlite is one session: SET sticks).
  await db.query('SET hnsw.ef_search = 96');
  const lat96: number[] = [];
  let hits96 = 0;
  for (let i = 0; i < Q; i++) {
    t = process.hrtime.bigint();
    const got = await nearestVectors(db, queries[i], 10);
    lat96.push(ms(t));
    hits96 += got.filter(([id]) => truth[i].has(id)).length;
  }
  await db.close();
  rows.push(first);
  return { ...first, engine: 'same, ef_search 96', p50: pct(lat96, 50), p99: pct(lat96, 99), recall: hits96 / (Q * 10) };
}

function benchUsearch(): Row {
  let t = process.hrtime.bigint();
  const idx = newIndex(DIMS);
  const boot = ms(t) / 1000;
  const add = (vs: Float32Array[], first: number, batch: number) => {
    for (let i = 0; i < vs.length; i += batch) {
      const chunk = vs.slice(i, i + batch);
      const flat = new Float32Array(chunk.length * DIMS);
      chunk.forEach((v, j) => flat.set(v, j * DIMS));
      // One thread, as in the product (syncVectors runs beside the web server).
      idx.add(BigUint64Array.from(chunk.map((_, j) => BigInt(first + i + j))), flat, 1);
    }
  };
  t = process.hrtime.bigint();
  add(base, 0, 1000);
  const loadSecs = ms(t) / 1000;
  t = process.hrtime.bigint();
  add(extra, N, 100);
  const incPerSec = INC / (ms(t) / 1000);
  const lat: number[] = [];
  let hits = 0;
  for (let i = 0; i < Q; i++) {
    t = process.hrtime.bigint();
    const m = idx.search(queries[i], 10, 1);
    lat.push(ms(t));
    for (const k of m.keys) if (truth[i].has(Number(k))) hits++;
  }
  // usearch builds the graph while adding: the load includes the index.
  return { engine: 'usearch 2.25.3 in process (HNSW m16 efc64, ef 96, int8)', boot, loadPerSec: N / loadSecs, indexSecs: 0, incPerSec, p50: pct(lat, 50), p99: pct(lat, 99), recall: hits / (Q * 10) };
}

const cpus = os.cpus();
console.log(`machine: ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GB, node ${process.version}, ${os.platform()} ${os.arch()}`);
console.log(`vectors: ${N.toLocaleString('en-US')} ${values.data} unit vectors × ${DIMS} dims, then ${INC.toLocaleString('en-US')} incremental inserts (batches of 100); ${Q} queries, k = 10, one at a time\n`);
rows.push(benchUsearch());
rows.push(await benchPgvector());
const f = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
console.log('| engine | start (s) | bulk load (vectors/s) | index build (s) | incremental (vectors/s) | query p50 (ms) | query p99 (ms) | recall@10 |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.engine} | ${f(r.boot, 2)} | ${f(r.loadPerSec)} | ${r.indexSecs ? f(r.indexSecs, 1) : 'in load'} | ${f(r.incPerSec)} | ${f(r.p50, 2)} | ${f(r.p99, 2)} | ${f(r.recall, 3)} |`);
}
