import { autoId } from './dialect.ts';
import type { Db, OpenOptions } from './db.ts';
import { Kysely, Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import { communityMigrations } from './community-migrations.ts';
import { mailMigrations } from './mail-migrations.ts';
import { changeNotifyMigrations } from './change-feed.ts';

/**
 * Migrations are plain Kysely schema builders with portable types (text, integer), so the same
 * list runs on SQLite and PostgreSQL. Anything dialect-specific (FTS5, tsvector) goes in its own
 * migration that branches on the dialect, never in application code.
 */
const migrations: Record<string, Migration> = {
  '0001_papers_and_daily_entries': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('papers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('latest_version', 'integer')
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('abstract', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('authors', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('categories', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('primary_category', 'text')
        .addColumn('comment', 'text')
        .addColumn('journal_ref', 'text')
        .addColumn('doi', 'text')
        .addColumn('published_at', 'text')
        .addColumn('updated_at', 'text')
        .addColumn('github_repo', 'text')
        .addColumn('project_page', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('upvotes', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('num_comments', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      // "All papers, newest first" pages by (published_at, id).
      await db.schema.createIndex('papers_published_idx').on('papers').columns(['published_at', 'id']).execute();

      await db.schema
        .createTable('daily_entries')
        .addColumn('id', 'integer', autoId(db))
        .addColumn('paper_id', 'text', (c) => c.notNull().unique().references('papers.id').onDelete('cascade'))
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('featured_at', 'text', (c) => c.notNull())
        .addColumn('featured_by', 'integer')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('position', 'integer')
        .execute();
      await db.schema.createIndex('daily_entries_day_idx').on('daily_entries').columns(['day', 'featured_at']).execute();

      await db.schema
        .createTable('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('daily_entries').execute();
      await db.schema.dropTable('papers').execute();
      await db.schema.dropTable('settings').execute();
    },
  },
};

/** Additional migrations registered by later modules (search index, community...). */
const extra: Record<string, Migration> = {};

export function registerMigrations(more: Record<string, Migration>): void {
  Object.assign(extra, more);
}

class StaticProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return { ...migrations, ...communityMigrations, ...mailMigrations, ...changeNotifyMigrations, ...extra };
  }
}

export interface MigrationOutcome {
  applied: string[];
}

export async function migrateToLatest(db: Kysely<any>): Promise<MigrationOutcome> {
  // Modules register migrations independently, so names need not arrive in order.
  const migrator = new Migrator({ db, provider: new StaticProvider(), allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/**
 * Brings a freshly opened database up to date unless it was opened read-only or with
 * `migrate: false`; a failed migration closes it, and `mapError` may explain the failure.
 */
export async function migrateOpened(db: Db, opts: OpenOptions, mapError: (err: unknown) => unknown = (err) => err): Promise<Db> {
  if (opts.migrate === false || opts.readonly) return db;
  try {
    await migrateToLatest(db.kysely);
  } catch (err) {
    await db.close();
    throw mapError(err);
  }
  return db;
}

export { sql };
