/**
 * Bulk imports defer the keyword index to the end of each batch (src/storage/search-migrations.ts,
 * 0101): nothing committed may be unsearchable, and a killed import must not leave papers out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { freshDb, paperRecord } from './support/db.ts';
import { SQLITE_ONLY } from './support/pg.ts';
import { importPaths } from '../src/ingest/pipeline.ts';
import { upsertPapers } from '../src/storage/papers-repo.ts';
import { drainFtsPending } from '../src/storage/sqlite-bulk.ts';
import type SQLite from 'better-sqlite3';


function matches(sq: SQLite.Database, word: string): string[] {
  return (sq.prepare('SELECT d.paper_id AS id FROM papers_fts JOIN search_docs d ON d.doc_id = papers_fts.rowid WHERE papers_fts MATCH ? ORDER BY d.paper_id').all(`"${word}"`) as { id: string }[]).map((r) => r.id);
}

function pendingCount(sq: SQLite.Database): number {
  return sq.prepare('SELECT count(*) FROM search_fts_pending').pluck().get() as number;
}

function setLease(sq: SQLite.Database, secondsFromNow: number): void {
  sq.prepare(`INSERT INTO search_meta(key, value) VALUES ('fts.deferred_until', CAST(unixepoch() + ? AS TEXT)) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(secondsFromNow);
}

function rawInsert(sq: SQLite.Database, id: string, title: string): void {
  sq.prepare(`INSERT INTO papers (id, latest_version, title, abstract, authors, categories, primary_category, created_at, source)
    VALUES (?, 1, ?, 'An abstract.', '["Ada Lovelace"]', '["cs.LG"]', 'cs.LG', '2025-01-01T00:00:00Z', 'test')`).run(id, title);
}

test('an import leaves every paper in the keyword index, no queue, no lease, and FTS settings restored', { skip: SQLITE_ONLY }, async () => {
  const { db, dir, cleanup } = await freshDb();
  try {
    const sq = db.sqlite!;
    // Several batches: 2,000 records per transaction by default, here 50.
    const lines = Array.from({ length: 180 }, (_, i) => JSON.stringify({ id: `2504.${String(20000 + i)}`, title: `Zyxquant method number ${i}`, abstract: `We study zyxquant ${i}.`, authors: ['A. Author'], categories: ['cs.LG'], comment: null, first_listed: '2025-04-01', listed_dates: ['2025-04-01'] }));
    const file = path.join(dir, 'papers.jsonl.gz');
    fs.writeFileSync(file, zlib.gzipSync(lines.join('\n') + '\n'));
    const stats = await importPaths(db, [file], { batchSize: 50 });
    assert.equal(stats.inserted, 180);
    assert.equal(matches(sq, 'zyxquant').length, 180);
    assert.equal(pendingCount(sq), 0);
    assert.equal(sq.prepare(`SELECT value FROM search_meta WHERE key = 'fts.deferred_until'`).get(), undefined);
    assert.equal(sq.prepare(`SELECT v FROM papers_fts_config WHERE k = 'automerge'`).pluck().get(), 4);
    // A re-import changes nothing and indexes nothing twice.
    await importPaths(db, [file], { batchSize: 50 });
    assert.equal(matches(sq, 'zyxquant').length, 180);
  } finally {
    await cleanup();
  }
});

test('while an import holds the lease, other writes are queued and indexed with its next batch', { skip: SQLITE_ONLY }, async () => {
  const { db, cleanup } = await freshDb();
  try {
    const sq = db.sqlite!;
    await upsertPapers(db, [paperRecord({ id: '2503.00001', title: 'Quokkanet before the import' })], new Date().toISOString());
    assert.deepEqual(matches(sq, 'quokkanet'), ['2503.00001']);
    setLease(sq, 60);
    // A web write (new paper) and an editor retitling an indexed one, during the import.
    rawInsert(sq, '2503.00002', 'Wombatformer arrives mid-import');
    sq.prepare('UPDATE papers SET title = ? WHERE id = ?').run('Platypus renamed mid-import', '2503.00001');
    assert.deepEqual(matches(sq, 'wombatformer'), [], 'queued, not indexed yet');
    assert.equal(pendingCount(sq), 2);
    // The import's next batch drains the queue in its own transaction.
    await upsertPapers(db, [paperRecord({ id: '2503.00003', title: 'Echidnalm in the batch' })], new Date().toISOString());
    assert.deepEqual(matches(sq, 'wombatformer'), ['2503.00002']);
    assert.deepEqual(matches(sq, 'echidnalm'), ['2503.00003']);
    assert.deepEqual(matches(sq, 'platypus'), ['2503.00001']);
    assert.deepEqual(matches(sq, 'quokkanet'), [], 'the old title is gone from the index');
    // Deleting a queued paper leaves nothing behind.
    setLease(sq, 60);
    rawInsert(sq, '2503.00004', 'Numbatnet deleted before indexing');
    sq.prepare('DELETE FROM papers WHERE id = ?').run('2503.00004');
    assert.equal(pendingCount(sq), 0);
  } finally {
    await cleanup();
  }
});

test('a killed import: its lease lapses, so writes index directly again, and what it queued is indexed at the next start', { skip: SQLITE_ONLY }, async () => {
  const { db, cleanup } = await freshDb();
  try {
    const sq = db.sqlite!;
    setLease(sq, 60);
    rawInsert(sq, '2503.00010', 'Axolotlgan queued by a dying import');
    // The importer is gone: its lease runs out.
    setLease(sq, -1);
    rawInsert(sq, '2503.00011', 'Capybaravit written after the lease');
    assert.deepEqual(matches(sq, 'capybaravit'), ['2503.00011'], 'indexed directly');
    assert.deepEqual(matches(sq, 'axolotlgan'), []);
    assert.equal(drainFtsPending(sq), 1);
    assert.deepEqual(matches(sq, 'axolotlgan'), ['2503.00010']);
    assert.equal(drainFtsPending(sq), 0);
  } finally {
    await cleanup();
  }
});
