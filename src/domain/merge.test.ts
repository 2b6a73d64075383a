import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromRecord, mergePaper } from './merge.ts';
import type { PaperRecord } from './paper.ts';

const base: PaperRecord = {
  id: '2503.11677', version: 1, title: 'Old title', abstract: 'Old abstract. Code: https://github.com/a/b', authors: ['A B'], categories: ['cs.LG'],
  comment: '10 pages', journalRef: null, doi: null, publishedAt: '2025-03-14', updatedAt: '2025-03-14', listedDay: '2025-03-17', source: 'arxiv-daily',
};

test('a new paper is inserted as is, with links extracted', () => {
  const r = mergePaper(null, base);
  assert.equal(r.changed, true);
  assert.equal(r.paper.githubRepo, 'https://github.com/a/b');
});

test('the same record twice changes nothing', () => {
  const stored = fromRecord(base);
  assert.equal(mergePaper(stored, base).changed, false);
});

test('a newer version replaces fields but never erases missing ones', () => {
  const stored = fromRecord(base);
  const r = mergePaper(stored, { ...base, version: 2, title: 'New title', comment: null, doi: '10.1/x', updatedAt: '2025-04-01', publishedAt: '2025-03-13' });
  assert.equal(r.changed, true);
  assert.equal(r.paper.title, 'New title');
  assert.equal(r.paper.comment, '10 pages', 'null comment must not erase');
  assert.equal(r.paper.doi, '10.1/x');
  assert.equal(r.paper.latestVersion, 2);
  assert.equal(r.paper.updatedAt, '2025-04-01');
  assert.equal(r.paper.publishedAt, '2025-03-13', 'the earliest v1 date wins');
});

test('an older version only fills gaps', () => {
  const stored = fromRecord({ ...base, version: 3, title: 'v3 title', journalRef: null });
  const r = mergePaper(stored, { ...base, version: 1, title: 'v1 title', journalRef: 'JMLR 2025' });
  assert.equal(r.paper.title, 'v3 title');
  assert.equal(r.paper.journalRef, 'JMLR 2025');
  assert.equal(r.paper.latestVersion, 3);
});

test('empty lists and abstracts never erase', () => {
  const stored = fromRecord(base);
  const r = mergePaper(stored, { ...base, authors: [], categories: [], abstract: null });
  assert.equal(r.changed, false);
  assert.deepEqual(r.paper.authors, ['A B']);
  assert.equal(r.paper.abstract, base.abstract);
});
