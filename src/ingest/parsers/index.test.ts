import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { FORMATS, detectFormat, parse, type FormatName } from './index.ts';
import { DATA, collect, readHead, readLines } from './testing.ts';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = `${dir}/${name}`;
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

function expectedFormat(rel: string): FormatName | null {
  if (rel.startsWith('arxiv-daily-2025-2026/shards/')) return 'daily-jsonl';
  if (rel.startsWith('arxiv-daily-2025-2026/sample-days/')) return 'raw-daily-jsonl';
  if (/^arxiv-cs-2007-2017\/part-\d+\.jsonl\.gz$/.test(rel)) return 'oai-dc-jsonl';
  if (rel.startsWith('fixtures/oai-dc-json/')) return 'oai-dc-jsonl';
  if (rel.startsWith('fixtures/arxiv-api/')) return 'arxiv-atom';
  if (rel.startsWith('fixtures/hf-daily-papers/')) return 'hf-daily-json';
  // Every OAI-PMH body is an OAI page, except the 503 "Retry after" HTML.
  if (rel.startsWith('fixtures/oai-pmh/') && rel.endsWith('status200.xml')) return 'oai-pmh-xml';
  // The rest: OAI recordings (*.json), RSS, SciFact, the subject table, READMEs, 503 body.
  return null;
}

test('detectFormat on every file of the shared data', async () => {
  const files = walk(DATA.replace(/\/$/, ''));
  assert.ok(files.length > 50);
  const seen = new Set<FormatName>();
  for (const path of files) {
    const rel = path.slice(DATA.length);
    const got = detectFormat(await readHead(path), rel.split('/').pop()!);
    assert.equal(got, expectedFormat(rel), rel);
    if (got) seen.add(got);
  }
  assert.deepEqual([...seen].sort(), [...FORMATS].sort());
});

test('detectFormat on small heads', () => {
  assert.equal(detectFormat('', 'x'), null);
  assert.equal(detectFormat('hello', 'x.txt'), null);
  assert.equal(detectFormat('\uFEFF  <?xml version="1.0"?>\n<!-- c -->\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">', 'a.xml'), 'oai-pmh-xml');
  assert.equal(detectFormat('<feed xmlns="http://www.w3.org/2005/Atom">', 'q.xml'), 'arxiv-atom');
  assert.equal(detectFormat('<rss version="2.0">', 'r.xml'), null);
  // A head cut in the middle of a long first line still works.
  assert.equal(detectFormat('{"id": "2503.11677", "title": "x", "first_listed": "2025-03-18", "abstract": "trunc', 'a.jsonl'), 'daily-jsonl');
  assert.equal(detectFormat('{"id": "1703.08013", "title": "x", "dates": ["2017-03-23"], "abstract": "tru', 'a.jsonl'), 'oai-dc-jsonl');
  assert.equal(detectFormat('["0711.3666",{"format":[]', 'a.jsonl'), 'oai-dc-jsonl');
  assert.equal(detectFormat('{"id": "2510.1", "abs": "https://arxiv.org/abs/2510.1", "summary": "x"}', '2025-10-22.jsonl'), 'raw-daily-jsonl');
  assert.equal(detectFormat('[{"paper": {"id": "2509.04664"', 'daily_papers'), 'hf-daily-json');
  assert.equal(detectFormat('{"paper": {"id": "2509.04664"}, "upvotes": 3}\n{"paper"', 'hf.jsonl'), 'hf-daily-json');
  // The key must be a key: a quoted word inside an abstract does not count.
  assert.equal(detectFormat('{"id": "1", "abstract": "we call it \\"first_listed\\": no", "summary": "a", "abs": "b"}', 'x.jsonl'), 'raw-daily-jsonl');
  assert.equal(detectFormat('{"_id": "4983", "title": "", "text": "Microstructural..."}', 'corpus.jsonl'), null);
});

test('parse dispatches each format on a real file', async () => {
  const cases: [FormatName, string, number][] = [
    ['daily-jsonl', 'arxiv-daily-2025-2026/shards/part-0012.jsonl.gz', 0],
    ['raw-daily-jsonl', 'arxiv-daily-2025-2026/sample-days/2026-07-01.jsonl', 371],
    ['oai-dc-jsonl', 'fixtures/oai-dc-json/arxiv_meta-2016-03-15-first20.jsonl', 20],
    ['arxiv-atom', 'fixtures/arxiv-api/api-query-all-GAN-2024-01-22.xml', 10],
    ['oai-pmh-xml', 'fixtures/oai-pmh/oaipmh-listrecords---should-list-identifiers-from-arxiv.1.status200.xml', 2],
    ['hf-daily-json', 'fixtures/hf-daily-papers/paper-object-2509.04664.PARTIAL.json', 1],
  ];
  for (const [format, rel, count] of cases) {
    const fileName = rel.split('/').pop()!;
    const items = await collect(parse(format, readLines(DATA + rel), { fileName }));
    if (count) assert.equal(items.length, count, rel);
    else assert.ok(items.length > 1000, rel);
    assert.ok(items.every((i) => i.ok), rel);
    const sources = new Set(items.map((i) => i.ok && i.record.source));
    assert.equal(sources.size, 1, rel);
    assert.ok(items.every((i, n) => n === 0 || i.line >= items[n - 1].line), `${rel}: lines ascend`);
  }
});
