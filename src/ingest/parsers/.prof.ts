import { parse } from './index.ts';
import { readLines, DATA } from './testing.ts';
const t1 = Date.now();
let n = 0;
for (const f of ['arxiv-cs-2007-2017/part-0000.jsonl.gz', 'arxiv-cs-2007-2017/part-0001.jsonl.gz', 'arxiv-daily-2025-2026/shards/part-0000.jsonl.gz']) {
  for await (const it of parse(f.includes('daily') ? 'daily-jsonl' : 'oai-dc-jsonl', readLines(DATA + f), { fileName: f })) n++;
}
console.log(n, Date.now() - t1);
