import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Db } from '../../src/storage/db.ts';
import { featurePapers, upsertPapers } from '../../src/storage/papers-repo.ts';
import type { PaperRecord } from '../../src/domain/paper.ts';
import { createApp } from '../../src/web/app.ts';
import { testConfig, type Config } from '../../src/config.ts';
import { createPgDatabase, TEST_PG_URL } from './pg.ts';

/**
 * A fresh database with migrations applied: a real SQLite file (WAL) in a temp dir, or, when
 * TEST_DATABASE_URL names a PostgreSQL cluster, a new database there. `url` is what a spawned
 * process is given as `--db`; `file` is the SQLite path (the URL on PostgreSQL).
 */
export async function freshDb(): Promise<{ db: Db; dir: string; file: string; url: string; cleanup: () => Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-test-'));
  const pgDb = TEST_PG_URL ? await createPgDatabase() : null;
  const file = pgDb ? pgDb.url : path.join(dir, 'test.sqlite');
  const db = await openDatabase(file);
  return {
    db,
    dir,
    file,
    url: file,
    cleanup: async () => {
      await db.close();
      await pgDb?.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

let counter = 0;
/** A plausible record; override what a test cares about. Ids are unique per call. */
export function paperRecord(over: Partial<PaperRecord> = {}): PaperRecord {
  counter++;
  const id = over.id ?? `2503.${String(10000 + counter).padStart(5, '0')}`;
  return {
    id,
    version: 1,
    title: `Test paper ${counter}`,
    abstract: `Abstract of test paper ${counter}.`,
    authors: ['Ada Lovelace', 'Alan Turing'],
    categories: ['cs.LG', 'cs.AI'],
    comment: null,
    journalRef: null,
    doi: null,
    publishedAt: '2025-03-10',
    updatedAt: null,
    listedDay: null,
    source: 'test',
    ...over,
  };
}

/** Inserts records and features each on `day` (or its listedDay). */
export async function seedFeatured(db: Db, items: { record: PaperRecord; day: string; featuredAt?: string; upvotes?: number }[]): Promise<void> {
  await upsertPapers(db, items.map((i) => i.record), '2025-03-12T00:00:00.000Z');
  await featurePapers(
    db,
    items.map((i, n) => ({ paperId: i.record.id, day: i.day, source: 'import' as const, featuredBy: null, featuredAt: i.featuredAt ?? `${i.day}T08:00:${String(n % 60).padStart(2, '0')}.000Z` })),
  );
  for (const i of items) {
    if (i.upvotes) await db.kysely.updateTable('papers').set({ upvotes: i.upvotes }).where('id', '=', i.record.id).execute();
  }
}

/** An app over a fresh database, with a pinned clock. */
export async function testApp(config: Partial<Config> = {}, now = new Date('2025-03-12T12:00:00Z')) {
  const t = await freshDb();
  const app = createApp({ db: t.db, config: testConfig({ dataDir: t.dir, ...config }), now: () => now });
  return { ...t, app };
}
