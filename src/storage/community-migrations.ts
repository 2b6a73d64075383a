import { autoId, floatType } from './dialect.ts';
import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Accounts, sessions, tokens, votes, comments, rate limits, and the trending score. Portable types
 * only (text, integer, real), so PostgreSQL reuses this file; timestamps are ISO-8601 text.
 */
export const communityMigrations: Record<string, Migration> = {
  '0100_community': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('users')
        .addColumn('id', 'integer', autoId(db))
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull().defaultTo('user'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('banned_at', 'text')
        .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until', 'text')
        .execute();

      await db.schema
        .createTable('sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();

      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'integer', autoId(db))
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_used_at', 'text')
        .addColumn('revoked_at', 'text')
        .execute();

      await db.schema
        .createTable('votes')
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('votes_pk', ['user_id', 'paper_id'])
        .execute();
      await db.schema.createIndex('votes_paper_idx').on('votes').columns(['paper_id', 'created_at']).execute();

      await db.schema
        .createTable('comments')
        .addColumn('id', 'integer', autoId(db))
        .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('parent_id', 'integer', (c) => c.references('comments.id').onDelete('cascade'))
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text')
        .addColumn('deleted_at', 'text')
        .addColumn('hidden_at', 'text')
        .addColumn('upvotes', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('downvotes', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('score', floatType(db), (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('comments_paper_idx').on('comments').columns(['paper_id', 'created_at']).execute();
      await db.schema.createIndex('comments_user_idx').on('comments').columns(['user_id', 'created_at']).execute();

      await db.schema
        .createTable('comment_votes')
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('comment_id', 'integer', (c) => c.notNull().references('comments.id').onDelete('cascade'))
        .addColumn('value', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('comment_votes_pk', ['user_id', 'comment_id'])
        .execute();

      // Fixed-window counters shared by every web instance (they live in the database, not memory).
      await db.schema
        .createTable('rate_limits')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('window_start', 'integer', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .execute();

      await db.schema.alterTable('papers').addColumn('trending_score', floatType(db), (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('papers').addColumn('trending_at', 'text').execute();
      await db.schema.createIndex('papers_trending_idx').on('papers').column('trending_score').execute();
      await db.schema.createIndex('daily_entries_featured_by_idx').on('daily_entries').columns(['featured_by', 'day']).execute();
      void sql;
    },
    async down(db: Kysely<any>) {
      for (const t of ['comment_votes', 'comments', 'votes', 'api_tokens', 'sessions', 'rate_limits', 'users']) await db.schema.dropTable(t).execute();
    },
  },
};
