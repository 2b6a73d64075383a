import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { freshDb } from '../../test/support/db.ts';
import { importPaths, type ImportStats, type Rejection } from './pipeline.ts';

const SHARED = path.resolve(import.meta.dirname, '../../../shared/data');
const DAILY_SHARDS = path.join(SHARED, 'arxiv-daily-2025-2026/shards');

const good = (id: string) =>
  JSON.stringify({ id, title: `Paper ${id}`, abstract: 'A.', authors: ['B, A'], categories: ['cs.LG'], comment: null, first_listed: '2025-03-18', listed_dates: ['2025-03-18'] });

/** A directory of awkward inputs: bad lines, a truncated gzip, an unknown format, an empty file. */
function awkwardInputs(root: string): string[] {
  const dir = path.join(root, 'inputs');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'a-mixed.jsonl'), [good('2503.00001'), '{not json', good('2503.00002'), JSON.stringify({ id: 'nope', title: 'x' }), '', good('2503.00003')].join('\n') + '\n');
  const whole = zlib.gunzipSync(fs.readFileSync(path.join(DAILY_SHARDS, 'part-0000.jsonl.gz')));
  const gz = zlib.gzipSync(whole.toString('utf8').split('\n').slice(0, 1500).join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'b-cut.jsonl.gz'), gz.subarray(0, Math.floor(gz.length * 0.6)));
  fs.writeFileSync(path.join(dir, 'c-notes.txt'), 'hello\nworld\n');
  fs.writeFileSync(path.join(dir, 'd-empty.jsonl'), '');
  fs.writeFileSync(path.join(dir, 'e-dupes.jsonl'), [good('2503.00001'), good('2503.00004'), good('2503.00004')].join('\n'));
  return [dir, path.join(dir, 'missing.jsonl'), path.join(SHARED, 'fixtures/arxiv-api/api-query-all-GAN-2024-01-22.xml')];
}

async function run(parseWorker: boolean, batchSize?: number) {
  const t = await freshDb();
  try {
    const rejections: Rejection[] = [];
    const progress: number[] = [];
    const stats = await importPaths(t.db, awkwardInputs(t.dir), {
      parseWorker,
      batchSize,
      onReject: (r) => rejections.push({ ...r, file: path.basename(r.file) }),
      onProgress: (s) => progress.push(s.bytesRead),
    });
    const rows = await t.db.kysely.selectFrom('papers').select(['id', 'title', 'authors', 'published_at']).orderBy('id').execute();
    const { startedAt: _startedAt, ...counts } = stats;
    return { counts, rejections, progress, rows };
  } finally {
    await t.cleanup();
  }
}

test('the parse worker gives the same counts, rejections (file:line), progress and rows as in-process parsing', async () => {
  const inProcess = await run(false);
  const worker = await run(true);
  assert.deepEqual(worker, inProcess);
  const c: Omit<ImportStats, 'startedAt'> = inProcess.counts;
  assert.equal(c.files, 4, 'files of unknown format are not counted as imported');
  assert.deepEqual(
    inProcess.rejections.map((r) => [r.file, r.line, r.reason.slice(0, 14)]),
    [
      ['missing.jsonl', 0, 'no such file o'],
      ['a-mixed.jsonl', 2, 'invalid JSON: '],
      ['a-mixed.jsonl', 4, 'invalid arXiv '],
      // Every line read before the cut was imported: 5 lines read from a-mixed, 3 + 10 after.
      ['b-cut.jsonl.gz', c.read - 5 - 3 - 10 + 1, 'truncated gzip'],
      ['c-notes.txt', 1, 'unknown format'],
      ['d-empty.jsonl', 1, 'unknown format'],
    ],
  );
  assert.equal(inProcess.progress.at(-1), c.bytesTotal - 'hello\nworld\n'.length, 'progress ends at every byte read, less the skipped files');
});

test('small transaction batches through the worker still add up', async () => {
  const inProcess = await run(false, 7);
  const worker = await run(true, 7);
  assert.deepEqual(worker.counts, inProcess.counts);
  assert.deepEqual(worker.rows, inProcess.rows);
  // Every line read is inserted, updated, unchanged (a repeat) or one of the two bad lines.
  assert.equal(worker.counts.read, worker.counts.inserted + worker.counts.updated + worker.counts.unchanged + 2);
});
