/**
 * npm run eval:search -- <beir-folder> [--mode keyword|semantic|hybrid|all] [--json] [--provider SPEC] [--qrels FILE]
 *                        [--database-url postgres://...]   (or EVAL_DATABASE_URL)
 *
 * With a PostgreSQL URL (an admin connection to a scratch cluster) the corpus goes into a fresh
 * database created there, and dropped afterwards unless --keep.
 * Imports a BEIR corpus into a fresh temporary database through the product's own import
 * pipeline (with the search index hook, exactly as `dailypapers import` keeps the index current),
 * runs every query through `searchPapers`, and prints nDCG@10, Recall@100 and MRR@10 per mode,
 * beside the `baseline` row: raw FTS5 with no tuning.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDatabase } from '../src/storage/db.ts';
import { importItems, emptyStats } from '../src/ingest/pipeline.ts';
import { configureSearch, flushSearchIndex, searchIndexHook, searchPapers, type SearchMode } from '../src/search/index.ts';
import { baselineRun, beirItems, BEIR_PREFIX, evaluateRun, loadBeir, type Metrics } from '../src/search/eval.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    mode: { type: 'string', default: 'all' },
    json: { type: 'boolean', default: false },
    provider: { type: 'string' },
    qrels: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'database-url': { type: 'string' },
  },
});

async function main(): Promise<number> {
  const dir = positionals[0];
  if (!dir) {
    process.stderr.write('usage: npm run eval:search -- <beir-folder> [--mode keyword|semantic|hybrid|all] [--json] [--provider SPEC]\n');
    return 2;
  }
  const modes: SearchMode[] = values.mode === 'all' ? ['keyword', 'semantic', 'hybrid'] : [values.mode as SearchMode];
  if (!modes.every((m) => ['keyword', 'semantic', 'hybrid'].includes(m))) {
    process.stderr.write(`unknown mode ${values.mode}\n`);
    return 2;
  }
  const log = (s: string) => {
    if (!values.json) process.stderr.write(s + '\n');
  };
  const beir = loadBeir(dir, { qrels: values.qrels });
  log(`${path.basename(path.resolve(dir))}: ${beir.corpus.length} documents, ${beir.queries.length} queries with judgments (${beir.qrelsFiles.map((f) => path.basename(f)).join(', ')})`);

  const results: Record<string, Metrics & { ms_per_query?: number }> = {};
  const t0 = performance.now();
  results.baseline = evaluateRun(baselineRun(beir), beir.qrels);
  results.baseline.ms_per_query = round((performance.now() - t0) / beir.queries.length);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-eval-'));
  const pgAdmin = values['database-url'] ?? process.env.EVAL_DATABASE_URL ?? null;
  const pgDb = pgAdmin ? await createPgDatabase(pgAdmin) : null;
  if (pgDb) log(`backend: PostgreSQL, database ${pgDb.name}`);
  const db = await openDatabase(pgDb ? pgDb.url : path.join(tmp, 'eval.sqlite'));
  try {
    await configureSearch(db, values.provider === undefined ? {} : { provider: values.provider });
    const t1 = performance.now();
    const stats = emptyStats();
    await importItems(db, 'beir', beirItems(beir.corpus), { feature: 'never', onChanged: searchIndexHook(db) }, stats);
    await flushSearchIndex(db);
    log(`indexed ${stats.inserted} documents in ${((performance.now() - t1) / 1000).toFixed(1)} s (keyword index by triggers, vectors by the import hook)`);

    for (const mode of modes) {
      const run = new Map<string, string[]>();
      const t = performance.now();
      for (const q of beir.queries) {
        const r = await searchPapers(db, { q: q.text, mode, limit: 100, facets: false, snippets: false });
        if (r.parsed.mode !== mode) throw new Error(`mode ${mode} unavailable (no vector index): pick a provider`);
        run.set(q._id, r.hits.map((h) => h.paperId.slice(BEIR_PREFIX.length)));
      }
      results[mode] = { ...evaluateRun(run, beir.qrels), ms_per_query: round((performance.now() - t) / beir.queries.length) };
    }
  } finally {
    await db.close();
    if (values.keep) log(`kept ${pgDb ? pgDb.name : tmp}`);
    else {
      fs.rmSync(tmp, { recursive: true, force: true });
      await pgDb?.drop();
    }
  }

  if (values.json) {
    process.stdout.write(JSON.stringify(results) + '\n');
  } else {
    const rows = Object.entries(results);
    process.stdout.write(`${'mode'.padEnd(10)} ${'nDCG@10'.padStart(8)} ${'R@100'.padStart(8)} ${'MRR@10'.padStart(8)} ${'ms/q'.padStart(7)}\n`);
    for (const [name, m] of rows) {
      process.stdout.write(`${name.padEnd(10)} ${m['ndcg@10'].toFixed(4).padStart(8)} ${m['recall@100'].toFixed(4).padStart(8)} ${m['mrr@10'].toFixed(4).padStart(8)} ${String(m.ms_per_query ?? '').padStart(7)}\n`);
    }
  }
  return 0;
}

/** A fresh, uniquely named database on the cluster the admin URL points at. */
async function createPgDatabase(adminUrl: string): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `dp_eval_${process.pid}_${Date.now().toString(36)}`;
  const admin = async (statement: string) => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try {
      await c.query(statement);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return { name, url: u.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`eval:search: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
