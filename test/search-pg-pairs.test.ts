// PostgreSQL keyword retrieval in large collections: candidates must hold two of the query's words
// (PG_TUNING.pairsFromDocs), and the plain OR query takes over when that finds too few.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freshDb, paperRecord } from './support/db.ts';
import { TEST_PG_URL } from './support/pg.ts';
import { upsertPapers } from '../src/storage/papers-repo.ts';
import { configureSearch, searchPapers } from '../src/search/index.ts';
import { PG_TUNING } from '../src/search/pg/keyword.ts';

test('two-word candidates in large collections, the OR query when they are too few; totals stay exact', { skip: !TEST_PG_URL && 'needs TEST_DATABASE_URL (a PostgreSQL cluster)' }, async (t) => {
  const f = await freshDb();
  const saved = PG_TUNING.pairsFromDocs;
  t.after(async () => {
    PG_TUNING.pairsFromDocs = saved;
    await f.cleanup();
  });
  const both = Array.from({ length: 120 }, (_, i) => paperRecord({ title: `Alpha beta study ${i}`, abstract: `On alpha and beta, part ${i}.` }));
  const gammaOnly = Array.from({ length: 5 }, (_, i) => paperRecord({ title: `Gamma gamma gamma report ${i}`, abstract: 'Gamma gamma gamma everywhere.' }));
  await upsertPapers(f.db, [...both, ...gammaOnly], '2025-03-12T00:00:00.000Z');
  await configureSearch(f.db, { provider: null });
  const ids = (r: Awaited<ReturnType<typeof searchPapers>>) => r.hits.map((h) => h.paperId);
  const gammaIds = new Set(gammaOnly.map((r) => r.id));

  PG_TUNING.pairsFromDocs = Number.MAX_SAFE_INTEGER; // off: every match is ranked
  const plain = await searchPapers(f.db, { q: 'alpha beta gamma', mode: 'keyword', limit: 120 });
  assert.equal(plain.total, 125);
  assert.ok(ids(plain).some((id) => gammaIds.has(id)), 'one-word matches are candidates without the pair rule');

  PG_TUNING.pairsFromDocs = 0; // on: 120 papers hold two of the words, enough for the reranker's 100
  const paired = await searchPapers(f.db, { q: 'alpha beta gamma', mode: 'keyword', limit: 120 });
  assert.equal(paired.total, 125, 'the total still counts every match');
  assert.ok(paired.hits.length >= 100);
  assert.ok(!ids(paired).some((id) => gammaIds.has(id)), 'candidates hold at least two of the words');

  // No paper holds both words: the OR query takes over and finds the one-word matches.
  const fallback = await searchPapers(f.db, { q: 'gamma delta', mode: 'keyword', limit: 20 });
  assert.deepEqual(new Set(ids(fallback)), gammaIds);
});
