import { parse } from './index.ts';
import { readLines, DATA } from './testing.ts';
import { readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
const t0 = Date.now();
let n = 0, bad = 0, raw = 0;
for (const [dir, fmt] of [['arxiv-daily-2025-2026/shards', 'daily-jsonl'], ['arxiv-cs-2007-2017', 'oai-dc-jsonl']] as const) {
  for (const f of readdirSync(DATA + dir).filter((f) => f.endsWith('.gz'))) {
    for await (const l of readLines(`${DATA}${dir}/${f}`)) raw++;
  }
}
const t1 = Date.now();
for (const [dir, fmt] of [['arxiv-daily-2025-2026/shards', 'daily-jsonl'], ['arxiv-cs-2007-2017', 'oai-dc-jsonl']] as const) {
  for (const f of readdirSync(DATA + dir).filter((f) => f.endsWith('.gz'))) {
    for await (const it of parse(fmt, readLines(`${DATA}${dir}/${f}`), { fileName: f })) {
      n++;
      if (!it.ok) bad++;
    }
  }
}
console.log(raw, 'lines read in', t1 - t0, 'ms;', n, bad, 'parsed in', Date.now() - t1, 'ms');
