/**
 * Regenerates sample/daily-sample.jsonl.gz: the last N announcement days of the daily listings in
 * ../shared/data, in the daily JSONL format, so `npm start` has real papers to show offline.
 * Usage: npm run sample:build [-- --days 10 --source ../shared/data/arxiv-daily-2025-2026/shards]
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { parseArgs } from 'node:util';
import { openLines } from '../src/ingest/lines.ts';

const { values } = parseArgs({ options: { days: { type: 'string', default: '10' }, source: { type: 'string', default: '../shared/data/arxiv-daily-2025-2026/shards' }, out: { type: 'string', default: 'sample/daily-sample.jsonl.gz' } } });
const days = Number(values.days);
const files = fs.readdirSync(values.source).filter((f) => f.endsWith('.jsonl.gz')).sort().map((f) => path.join(values.source, f));

const byDay = new Map<string, string[]>();
for (const f of files) {
  const { lines } = await openLines(f);
  for await (const l of lines) {
    if (!l.trim()) continue;
    const day = JSON.parse(l).first_listed as string;
    if (!byDay.has(day)) byDay.set(day, []);
    byDay.get(day)!.push(l);
  }
}
const chosen = [...byDay.keys()].sort().slice(-days);
const out = chosen.flatMap((d) => byDay.get(d)!);
fs.mkdirSync(path.dirname(values.out), { recursive: true });
fs.writeFileSync(values.out, zlib.gzipSync(out.join('\n') + '\n', { level: 9 }));
console.log(`${values.out}: ${out.length} papers over ${chosen.length} days (${chosen[0]} … ${chosen[chosen.length - 1]}), ${fs.statSync(values.out).size} bytes`);
