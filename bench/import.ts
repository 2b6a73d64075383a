/**
 * npm run bench:import — imports ../shared/data through the product's import pipeline into fresh
 * SQLite files: all of it (daily listings + the 2007-2017 cs harvest + fixtures, about 196k
 * records), then the daily listings alone (74,728 records, the issue's reference set).
 * Baseline, in the same process: the same daily+cs files parsed with JSON.parse and written with one
 * prepared `INSERT OR REPLACE` per record in 2,000-record transactions (no normalisation, no merge,
 * no search index), i.e. the floor a hand-rolled loader would reach.
 *
 * `--without-search-index` drops the keyword index's triggers from the bench databases first, to
 * show what the pipeline itself does; the product keeps them (every write also indexes the text).
 * The semantic index (`import`'s embedding hook) is not part of this benchmark.
 *
 * Throughput on a shared machine moves with its load, so the load average is printed too.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { openDatabase } from '../src/storage/db.ts';
import { importPaths, type ImportStats } from '../src/ingest/pipeline.ts';
import { openLines } from '../src/ingest/lines.ts';

const SHARED = path.resolve(import.meta.dirname, '../../shared/data');
const DAILY = path.join(SHARED, 'arxiv-daily-2025-2026/shards');
const ALL = [path.join(SHARED, 'arxiv-daily-2025-2026'), path.join(SHARED, 'arxiv-cs-2007-2017'), path.join(SHARED, 'fixtures')];
const withoutSearch = process.argv.includes('--without-search-index');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-bench-'));

function fileSize(file: string): number {
  return [file, file + '-wal'].reduce((n, f) => n + (fs.existsSync(f) ? fs.statSync(f).size : 0), 0);
}

async function baseline(): Promise<{ records: number; secs: number }> {
  const file = path.join(dir, 'baseline.sqlite');
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('create table papers (id text primary key, title text, abstract text, authors text, categories text, comment text)');
  const ins = db.prepare('insert or replace into papers values (?, ?, ?, ?, ?, ?)');
  const write = db.transaction((rows: any[]) => {
    for (const r of rows) ins.run(r.id, r.title, r.abstract, JSON.stringify(r.authors), JSON.stringify(r.categories), r.comment ?? null);
  });
  const t0 = performance.now();
  let n = 0;
  for (const sub of ['arxiv-daily-2025-2026/shards', 'arxiv-cs-2007-2017']) {
    const d = path.join(SHARED, sub);
    for (const f of fs.readdirSync(d).filter((n) => n.endsWith('.jsonl.gz')).sort()) {
      const { lines } = await openLines(path.join(d, f));
      let batch: any[] = [];
      for await (const l of lines) {
        if (!l) continue;
        batch.push(JSON.parse(l));
        if (batch.length === 2000) {
          write(batch);
          n += batch.length;
          batch = [];
        }
      }
      write(batch);
      n += batch.length;
    }
  }
  const secs = (performance.now() - t0) / 1000;
  db.close();
  return { records: n, secs };
}

interface Run {
  records: number;
  secs: number;
  size: number;
  stats: ImportStats;
}

async function product(name: string, inputs: string[]): Promise<Run> {
  const file = path.join(dir, `${name}.sqlite`);
  const db = await openDatabase(file);
  if (withoutSearch) for (const t of ['papers_search_ai', 'papers_search_au', 'papers_search_ad']) db.sqlite!.exec(`DROP TRIGGER IF EXISTS ${t}`);
  const t0 = performance.now();
  const stats = await importPaths(db, inputs, {});
  const secs = (performance.now() - t0) / 1000;
  await db.close();
  return { records: stats.read, secs, size: fileSize(file), stats };
}

const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');
const loadBefore = load();
const base = await baseline();
const all = await product('all', ALL);
const daily = await product('daily', [DAILY]);
const rss = process.resourceUsage().maxRSS / 1024;
const rate = (r: { records: number; secs: number }) => Math.round(r.records / r.secs);
const fmt = (n: number) => n.toLocaleString('en-US');
const report = (label: string, r: Run) => {
  console.log(`${label}: ${fmt(rate(r))} records/s, ${fmt(r.records)} records in ${r.secs.toFixed(1)} s (${(rate(r) / rate(base)).toFixed(2)}x baseline); database ${(r.size / 2 ** 20).toFixed(1)} MiB`);
  console.log(`  inserted ${r.stats.inserted}, updated ${r.stats.updated}, unchanged ${r.stats.unchanged}, rejected ${r.stats.rejected}, featured ${r.stats.featured}`);
};
console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, node ${process.version}; load average ${loadBefore} before, ${load()} after`);
console.log(`corpus: ${fmt(all.records)} records (${fmt(base.records)} in the baseline's files); daily listings ${fmt(daily.records)}`);
console.log(`search index: ${withoutSearch ? 'triggers dropped (--without-search-index)' : 'kept up to date by triggers, as in the product'}`);
console.log(`baseline (JSON.parse + INSERT OR REPLACE): ${fmt(rate(base))} records/s, ${base.secs.toFixed(1)} s`);
report('dailypapers import, whole corpus', all);
report('dailypapers import, daily listings', daily);
console.log(`peak RSS: ${rss.toFixed(0)} MiB (whole process, worker threads included)`);
// --json FILE: the same figures for scripts/bench-report.ts.
const jsonAt = process.argv.indexOf('--json');
if (jsonAt > 0) {
  const run = (r: Run) => ({ records: r.records, secs: r.secs, perSec: rate(r), sizeMiB: r.size / 2 ** 20, stats: r.stats });
  const figures = { loadBefore, loadAfter: load(), withoutSearch, baseline: { ...base, perSec: rate(base) }, all: run(all), daily: run(daily), peakRssMiB: rss };
  fs.writeFileSync(process.argv[jsonAt + 1]!, JSON.stringify(figures, null, 2) + '\n');
}
fs.rmSync(dir, { recursive: true, force: true });
