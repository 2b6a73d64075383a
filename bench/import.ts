/**
 * npm run bench:import — imports all of ../shared/data (daily listings + the 2007-2017 cs harvest +
 * fixtures, about 195k records) into a fresh SQLite file through the product's import pipeline.
 * Baseline, in the same process: the same daily+cs files parsed with JSON.parse and written with one
 * prepared `INSERT OR REPLACE` per record in 2,000-record transactions (no normalisation, no merge),
 * i.e. the floor a hand-rolled loader would reach.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { openDatabase } from '../src/storage/db.ts';
import { importPaths } from '../src/ingest/pipeline.ts';
import { openLines } from '../src/ingest/lines.ts';

const SHARED = path.resolve(import.meta.dirname, '../../shared/data');
const inputs = [path.join(SHARED, 'arxiv-daily-2025-2026'), path.join(SHARED, 'arxiv-cs-2007-2017'), path.join(SHARED, 'fixtures')];
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

async function product(): Promise<{ records: number; secs: number; file: string; stats: Awaited<ReturnType<typeof importPaths>> }> {
  const file = path.join(dir, 'product.sqlite');
  const db = await openDatabase(file);
  const t0 = performance.now();
  const stats = await importPaths(db, inputs, {});
  const secs = (performance.now() - t0) / 1000;
  await db.close();
  return { records: stats.read, secs, file, stats };
}

const base = await baseline();
const ours = await product();
const rss = process.resourceUsage().maxRSS / 1024;
const rate = (r: { records: number; secs: number }) => Math.round(r.records / r.secs);
console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, node ${process.version}`);
console.log(`corpus: ${ours.records.toLocaleString('en-US')} records (${base.records.toLocaleString('en-US')} in the baseline's files)`);
console.log(`baseline (JSON.parse + INSERT OR REPLACE): ${rate(base).toLocaleString('en-US')} records/s, ${base.secs.toFixed(1)} s`);
console.log(`dailypapers import: ${rate(ours).toLocaleString('en-US')} records/s, ${ours.secs.toFixed(1)} s (${(rate(ours) / rate(base)).toFixed(2)}x baseline)`);
console.log(`  inserted ${ours.stats.inserted}, updated ${ours.stats.updated}, unchanged ${ours.stats.unchanged}, rejected ${ours.stats.rejected}, featured ${ours.stats.featured}`);
console.log(`peak RSS: ${rss.toFixed(0)} MiB; database file: ${(fileSize(ours.file) / 2 ** 20).toFixed(1)} MiB`);
fs.rmSync(dir, { recursive: true, force: true });
