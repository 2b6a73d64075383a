import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHfDailyJson } from './hf-daily-json.ts';
import { DATA, collect, linesOf, readLines } from './testing.ts';

test('HF paper object fixture', async () => {
  const items = await collect(parseHfDailyJson(readLines(`${DATA}fixtures/hf-daily-papers/paper-object-2509.04664.PARTIAL.json`)));
  assert.equal(items.length, 1);
  const [item] = items;
  assert.ok(item.ok);
  assert.equal(item.line, 1);
  assert.deepEqual({ ...item.record, abstract: item.record.abstract?.slice(0, 80) }, {
    id: '2509.04664',
    version: null,
    title: 'Why Language Models Hallucinate',
    abstract: 'Like students facing hard exam questions, large language models sometimes guess ',
    authors: ['Adam Tauman Kalai', 'Ofir Nachum', 'Santosh S. Vempala', 'Edwin Zhang'],
    categories: [],
    comment: null,
    journalRef: null,
    doi: null,
    publishedAt: '2025-09-04T21:26:31.000Z',
    updatedAt: null,
    listedDay: '2025-09-08',
    source: 'hf',
  });
  assert.ok(item.record.abstract!.includes('Hallucinations need not be mysterious -- they originate simply'));
});

const ITEMS = `[
  {
    "paper": {
      "id": "2509.00001",
      "title": "First",
      "summary": "S1",
      "authors": [{"_id": "x", "name": "Ann Lee"}],
      "publishedAt": "2025-09-01T10:00:00.000Z",
      "submittedOnDailyAt": "2025-09-03T02:00:00.000Z",
      "upvotes": 3
    },
    "publishedAt": "2025-09-03T05:00:00.000Z",
    "title": "First"
  },
  {"paper": {"title": "No id"}, "title": "No id"},
  {"paper": {"id": "2509.00003", "summary": "S3"}, "title": "Outer title", "publishedAt": "2025-09-04T05:00:00.000Z"}
]`;

test('HF daily_papers array: line of each item, outer fields as fallbacks, bad item rejected', async () => {
  const items = await collect(parseHfDailyJson(linesOf(ITEMS)));
  assert.deepEqual(
    items.map((i) => (i.ok ? [i.line, i.record.id, i.record.title, i.record.listedDay] : [i.line, i.reason])),
    [
      [2, '2509.00001', 'First', '2025-09-03'],
      [15, 'missing "id"'],
      [16, '2509.00003', 'Outer title', '2025-09-04'],
    ],
  );
  assert.ok(items[0].ok && items[0].record.authors[0] === 'Ann Lee' && items[0].record.publishedAt === '2025-09-01T10:00:00.000Z');
});

test('HF items as JSONL; broken JSON documents report the line', async () => {
  const jsonl = [
    JSON.stringify({ paper: { id: '2509.00001', title: 'A', submittedOnDailyAt: '2025-09-03T00:00:00Z' } }),
    '{"paper": ',
    JSON.stringify({ paper: { id: '2509.00002', title: 'B' } }),
  ];
  const items = await collect(parseHfDailyJson(linesOf(jsonl)));
  assert.deepEqual(items.map((i) => (i.ok ? [i.line, i.record.id] : [i.line, i.reason.split(':')[0]])), [[1, '2509.00001'], [2, 'invalid JSON'], [3, '2509.00002']]);
  const broken = await collect(parseHfDailyJson(linesOf('[\n  {"paper": {"id": "2509.00001",\n  }\n]')));
  assert.equal(broken.length, 1);
  assert.ok(!broken[0].ok && broken[0].reason.startsWith('invalid JSON'));
  assert.ok(broken[0].line >= 2);
});
