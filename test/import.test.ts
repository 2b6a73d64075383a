import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { freshDb } from './support/db.ts';
import { importPaths, type Rejection } from '../src/ingest/pipeline.ts';
import { countPapers, getPaper } from '../src/storage/papers-repo.ts';
import { countDays, countEntries } from '../src/storage/feed-repo.ts';

const SHARED = path.resolve(import.meta.dirname, '../../shared/data');
const DAILY_SHARDS = path.join(SHARED, 'arxiv-daily-2025-2026/shards');

test('imports all 74,728 daily records with exact paper and day counts; a second import changes nothing', { timeout: 300_000 }, async () => {
  const t = await freshDb();
  try {
    const rejections: Rejection[] = [];
    const first = await importPaths(t.db, [DAILY_SHARDS], { onReject: (r) => rejections.push(r) });
    assert.deepEqual(rejections, []);
    assert.equal(first.files, 13);
    assert.equal(first.read, 74_728);
    assert.equal(first.inserted, 74_728);
    assert.equal(first.featured, 74_728);
    assert.equal(await countPapers(t.db), 74_728);
    assert.equal(await countEntries(t.db), 74_728);
    assert.equal(await countDays(t.db), 322);
    const firstDay = await t.db.kysely.selectFrom('daily_entries').select((eb) => [eb.fn.min('day').as('min'), eb.fn.max('day').as('max')]).executeTakeFirstOrThrow();
    assert.deepEqual(firstDay, { min: '2025-03-18', max: '2026-07-01' });

    const second = await importPaths(t.db, [DAILY_SHARDS], {});
    assert.equal(second.inserted, 0);
    assert.equal(second.updated, 0);
    assert.equal(second.unchanged, 74_728);
    assert.equal(second.featured, 0);
    assert.equal(await countPapers(t.db), 74_728);
  } finally {
    await t.cleanup();
  }
});

test('bad lines are reported as file:line and skipped; the rest is imported', async () => {
  const t = await freshDb();
  try {
    const file = path.join(t.dir, 'mixed.jsonl');
    const good = (id: string) => JSON.stringify({ id, title: `Paper ${id}`, abstract: 'A.', authors: ['A B'], categories: ['cs.LG'], comment: null, first_listed: '2025-03-18', listed_dates: ['2025-03-18'] });
    fs.writeFileSync(file, [good('2503.00001'), '{not json', good('2503.00002'), JSON.stringify({ id: 'nope', title: 'x', first_listed: '2025-03-18' }), '', good('2503.00003')].join('\n') + '\n');
    const rejections: Rejection[] = [];
    const stats = await importPaths(t.db, [file], { onReject: (r) => rejections.push(r) });
    assert.equal(stats.inserted, 3);
    assert.equal(stats.rejected, 2);
    assert.deepEqual(rejections.map((r) => [path.basename(r.file), r.line]), [['mixed.jsonl', 2], ['mixed.jsonl', 4]]);
    assert.ok(rejections.every((r) => r.reason.length > 0));
  } finally {
    await t.cleanup();
  }
});

test('a truncated gzip imports every complete line and reports the truncation', async () => {
  const t = await freshDb();
  try {
    const whole = zlib.gunzipSync(fs.readFileSync(path.join(DAILY_SHARDS, 'part-0000.jsonl.gz')));
    const firstLines = whole.toString('utf8').split('\n').slice(0, 400).join('\n') + '\n';
    const gz = zlib.gzipSync(firstLines);
    const file = path.join(t.dir, 'cut.jsonl.gz');
    fs.writeFileSync(file, gz.subarray(0, Math.floor(gz.length * 0.6)));
    const rejections: Rejection[] = [];
    const stats = await importPaths(t.db, [file], { onReject: (r) => rejections.push(r) });
    assert.equal(rejections.length, 1);
    assert.match(rejections[0].reason, /truncated gzip/);
    assert.ok(stats.inserted > 100 && stats.inserted < 400, `imported ${stats.inserted}`);
    assert.equal(rejections[0].line, stats.read + 1, "the truncation is reported at the first line that could not be read");
  } finally {
    await t.cleanup();
  }
});

test('an unknown format and a missing file are rejected without aborting the others', async () => {
  const t = await freshDb();
  try {
    const junk = path.join(t.dir, 'notes.txt');
    fs.writeFileSync(junk, 'hello\nworld\n');
    const rejections: Rejection[] = [];
    const stats = await importPaths(t.db, [junk, path.join(t.dir, 'missing.jsonl'), path.join(SHARED, 'fixtures/arxiv-api/api-query-all-GAN-2024-01-22.xml')], { onReject: (r) => rejections.push(r) });
    assert.equal(stats.inserted, 10);
    assert.deepEqual(rejections.map((r) => r.reason.split(' (')[0]), ['no such file or directory', 'unknown format']);
  } finally {
    await t.cleanup();
  }
});

test('a newer version from another source updates without erasing, and features are kept once', async () => {
  const t = await freshDb();
  try {
    const daily = path.join(t.dir, 'daily.jsonl');
    fs.writeFileSync(daily, JSON.stringify({ id: '2503.11677', title: 'Title v1', abstract: 'Old. https://github.com/sony/ctm.', authors: ['Ada Lovelace'], categories: ['cs.LG'], comment: '12 pages', first_listed: '2025-03-18', listed_dates: ['2025-03-18'] }) + '\n');
    await importPaths(t.db, [daily], {});
    const hf = path.join(t.dir, 'hf.json');
    fs.writeFileSync(hf, JSON.stringify([{ paper: { id: '2503.11677v2', title: 'Title v2', summary: 'New.', authors: [{ name: 'Ada Lovelace' }], publishedAt: '2025-03-14T17:00:00.000Z', submittedOnDailyAt: '2025-03-20T02:00:00.000Z', upvotes: 3 }, title: 'Title v2' }]));
    const stats = await importPaths(t.db, [hf], {});
    assert.equal(stats.updated, 1);
    const got = await getPaper(t.db, '2503.11677');
    assert.equal(got?.paper.title, 'Title v2');
    assert.equal(got?.paper.comment, '12 pages');
    assert.equal(got?.paper.githubRepo, 'https://github.com/sony/ctm');
    assert.equal(got?.entry?.day, '2025-03-18', 'a paper is featured once, on its first day');
  } finally {
    await t.cleanup();
  }
});
