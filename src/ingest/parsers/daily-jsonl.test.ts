import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDailyJsonl } from './daily-jsonl.ts';
import { parseRawDailyJsonl, dayFromFileName } from './raw-daily-jsonl.ts';
import { DATA, collect, linesOf, readLines } from './testing.ts';

test('daily shard: every record of part-0000 parses, first one exactly', async () => {
  const items = await collect(parseDailyJsonl(readLines(`${DATA}arxiv-daily-2025-2026/shards/part-0000.jsonl.gz`)));
  assert.equal(items.length, 5868);
  assert.equal(items.filter((i) => !i.ok).length, 0);
  const first = items[0];
  assert.ok(first.ok);
  assert.equal(first.line, 1);
  assert.deepEqual({ ...first.record, abstract: first.record.abstract?.slice(0, 40) }, {
    id: '2503.11677',
    version: null,
    title: 'Simulation of prosthetic vision with PRIMA system and enhancement of face representation',
    abstract: 'Objective. Patients implanted with the P',
    authors: ['Jungyeon Park', 'Anna Kochnev Goldstein', 'Yueming Zhou', 'Nathan Jensen', 'Daniel Palanker'],
    categories: ['cs.HC', 'cs.CV'],
    comment: null,
    journalRef: null,
    doi: null,
    publishedAt: '2025-03-18',
    updatedAt: null,
    listedDay: '2025-03-18',
    source: 'arxiv-daily',
  });
  // TeX: `\%` is unescaped outside math, math stays as it was.
  const second = items[1];
  assert.ok(second.ok);
  assert.match(second.record.abstract!, /such as \$tanh\$, \$sigmoid\$, and \$softmax\$/);
  assert.match(second.record.abstract!, /with 40% pruning rate, enhanced throughput up to 4\.64\$\\times\$/);
  // A comment hard-wrapped in the source is collapsed.
  const iris = items.find((i) => i.ok && i.record.id === '2503.11930');
  assert.ok(iris?.ok);
  assert.equal(iris.record.comment, 'for associated iris database, see https://huggingface.co/datasets/fatdove/Iris_Database');
});

test('daily JSONL: bad lines are rejected with their line number, good ones still parse', async () => {
  const good = (id: string) => JSON.stringify({ id, title: ' A\n  title ', abstract: 'x', authors: ['A B'], categories: ['cs.CL'], comment: '', first_listed: '2025-04-01', listed_dates: ['2025-04-01'] });
  const items = await collect(
    parseDailyJsonl(
      linesOf([
        good('2504.00001v2'),
        '',
        '{"id": "2504.00002", "title": ',
        JSON.stringify({ id: '2504.00003', abstract: 'no title' }),
        JSON.stringify({ id: 'foo', title: 'x' }),
        JSON.stringify({ title: 'no id' }),
        '[1,2]',
        '   ',
        good('2504.00009'),
      ]),
    ),
  );
  assert.deepEqual(
    items.map((i) => (i.ok ? [i.line, i.record.id, i.record.version] : [i.line, i.reason.replace(/^(invalid JSON):.*/, '$1')])),
    [
      [1, '2504.00001', 2],
      [3, 'invalid JSON'],
      [4, 'missing "title"'],
      [5, 'invalid arXiv id "foo"'],
      [6, 'missing "id"'],
      [7, 'expected a JSON object, got an array'],
      [9, '2504.00009', null],
    ],
  );
  const first = items[0];
  assert.ok(first.ok);
  assert.equal(first.record.title, 'A title');
  assert.equal(first.record.comment, null); // empty string → null
});

test('raw daily sample days: counts, listing day from the file name', async () => {
  const expected: Record<string, number> = { '2025-10-22': 286, '2026-03-10': 610, '2026-07-01': 371 };
  for (const [day, count] of Object.entries(expected)) {
    const fileName = `${day}.jsonl`;
    const items = await collect(parseRawDailyJsonl(readLines(`${DATA}arxiv-daily-2025-2026/sample-days/${fileName}`), { fileName }));
    assert.equal(items.length, count, day);
    assert.ok(items.every((i) => i.ok && i.record.listedDay === day && i.record.publishedAt === day && i.record.source === 'arxiv-daily-raw'));
  }
  const [first] = await collect(parseRawDailyJsonl(readLines(`${DATA}arxiv-daily-2025-2026/sample-days/2025-10-22.jsonl`), { fileName: 'x/2025-10-22.jsonl' }));
  assert.ok(first.ok);
  assert.equal(first.record.id, '2510.18189');
  assert.equal(first.record.title, 'A Generalizable Light Transport 3D Embedding for Global Illumination');
  assert.deepEqual(first.record.categories, ['cs.GR', 'cs.CV']);
  assert.equal(first.record.authors[1], 'Mukund Varma T');
  // `summary` is hard-wrapped at 80 columns in this shape; it comes out on one line.
  assert.ok(first.record.abstract!.startsWith('Global illumination (GI) is essential for realistic rendering but remains computationally expensive'));
  assert.ok(!first.record.abstract!.includes('\n'));
});

test('raw daily: no date in the file name → no listing day; id may come from `abs`', async () => {
  assert.equal(dayFromFileName('/tmp/2025-13-01.jsonl'), null);
  assert.equal(dayFromFileName('/tmp/day-2025-10-22.jsonl.gz'), '2025-10-22');
  const items = await collect(
    parseRawDailyJsonl(linesOf([JSON.stringify({ abs: 'https://arxiv.org/abs/2510.00001v3', title: 'T', summary: 'S' })]), { fileName: 'upload.jsonl' }),
  );
  assert.ok(items[0].ok);
  assert.equal(items[0].record.id, '2510.00001');
  assert.equal(items[0].record.version, 3);
  assert.equal(items[0].record.listedDay, null);
  assert.equal(items[0].record.abstract, 'S');
});
