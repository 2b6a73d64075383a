import { readLines, DATA } from './testing.ts';
import { readdirSync } from 'node:fs';
import { cleanTex, normalizeWhitespace } from '../../domain/text.ts';
const want = ['\\i', '\\sc', '\\em', '\\emph', "\\'", '\\"', '\\`', '\\-', '\\o', '\\c'];
const seen = new Map<string, string[]>();
for (const f of readdirSync(DATA + 'arxiv-cs-2007-2017').filter((f) => f.endsWith('.gz')).slice(0, 18)) {
  for await (const l of readLines(`${DATA}arxiv-cs-2007-2017/${f}`)) {
    const o = JSON.parse(l);
    for (const s0 of [o.title, o.abstract, ...o.authors]) {
      const c = cleanTex(normalizeWhitespace(s0));
      const plain = c.replace(/\$\$[\s\S]*?\$\$|\$[^$]*\$|\\\([\s\S]*?\\\)/g, ' ');
      for (const m of plain.matchAll(/\\[A-Za-z]+|\\[^A-Za-z\s]/g)) {
        if (!want.includes(m[0])) continue;
        const arr = seen.get(m[0]) ?? []; if (arr.length < 6) arr.push(plain.slice(Math.max(0, m.index! - 30), m.index! + 30)); seen.set(m[0], arr);
      }
    }
  }
}
for (const [k, v] of seen) console.log(k, v);
