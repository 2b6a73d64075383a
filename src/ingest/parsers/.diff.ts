import { readLines, DATA } from './testing.ts';
import { readdirSync } from 'node:fs';
import { cleanTex, normalizeWhitespace } from '../../domain/text.ts';
let changed = 0, total = 0; const samples: string[] = []; const leftovers = new Map<string, number>();
for (const f of readdirSync(DATA + 'arxiv-cs-2007-2017').filter((f) => f.endsWith('.gz'))) {
  for await (const l of readLines(`${DATA}arxiv-cs-2007-2017/${f}`)) {
    const o = JSON.parse(l);
    for (const s0 of [o.title, o.abstract]) {
      const s = normalizeWhitespace(s0); const c = cleanTex(s); total++;
      if (c !== s) { changed++; if (samples.length < 4000) { let i = 0; while (s[i] === c[i]) i++; samples.push(s.slice(Math.max(0, i - 25), i + 35) + '  ==>  ' + c.slice(Math.max(0, i - 25), i + 30)); } }
      // outside-math leftovers: backslash commands remaining in plain text
      const plain = c.replace(/\$\$[\s\S]*?\$\$|\$[^$]*\$|\\\([\s\S]*?\\\)/g, '');
      for (const m of plain.matchAll(/\\[A-Za-z]+|\\[^A-Za-z\s]/g)) leftovers.set(m[0], (leftovers.get(m[0]) ?? 0) + 1);
    }
  }
}
console.log(changed, total);
const pick = samples.filter((_, i) => i % 40 === 0);
console.log(pick.join('\n'));
console.log([...leftovers].sort((a, b) => b[1] - a[1]).slice(0, 50));
