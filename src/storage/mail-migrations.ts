import { autoId } from './dialect.ts';
import type { Kysely, Migration } from 'kysely';
import type { Database } from './schema.ts';

/**
 * Email digests, topic webhooks and the outbox. Portable types only, like the other migrations;
 * timestamps are ISO-8601 text. The table shapes live here rather than in schema.ts so that the
 * mail module can evolve without touching the shared schema file: repositories use `mailKysely`.
 */
export interface SubscribersTable {
  id: number;
  /** Lower-cased; one row per address whatever its state, so states never duplicate. */
  email: string;
  frequency: string;
  /** JSON array of saved searches, e.g. `["\"KV cache\" compression", "cat:cs.CL retrieval"]`. */
  topics: string;
  /** pending | confirmed | unsubscribed | bounced */
  status: string;
  created_at: string;
  updated_at: string;
  confirmed_at: string | null;
  unsubscribed_at: string | null;
  bounced_at: string | null;
  /** When the last confirmation (or "already subscribed") email was queued: re-sends wait an hour. */
  notice_sent_at: string | null;
  /** Permanent delivery failures since the last success; reaching the limit bounces the address. */
  bounce_count: number;
  /** The account that proved it owns this address (confirmed while signed in). */
  user_id: number | null;
}

export interface WebhooksTable {
  id: number;
  subscriber_id: number | null;
  topic: string;
  url: string;
  /** slack | discord | json */
  kind: string;
  created_at: string;
  disabled_at: string | null;
}

export interface DigestRunsTable {
  /** `daily:2025-03-12` or `weekly:2025-W11`: the period part of every outbox idempotency key. */
  period: string;
  frequency: string;
  started_at: string;
  rendered_at: string | null;
  /** daily_entries ids in (prev_entry_id, max_entry_id] are this period's new papers. */
  prev_entry_id: number;
  max_entry_id: number;
  /** Entries featured on older days are never "new", however late they were imported. */
  since_day: string;
  /** Papers added to the index at or after this instant count as new for topics. */
  topics_since: string;
  queued: number;
}

export interface OutboxTable {
  id: number;
  /** Idempotency key, e.g. `digest:42:daily:2025-03-12`: one message per subscriber and period. */
  key: string;
  /** digest | confirm | notice | webhook */
  kind: string;
  subscriber_id: number | null;
  webhook_id: number | null;
  /** An email address, or a webhook URL. */
  recipient: string;
  period: string | null;
  subject: string;
  /** JSON array of outbox_parts ids (digests), concatenated at send time. */
  parts: string;
  /** JSON: `{html, text}` for one-off emails, the request body for webhooks. */
  payload: string | null;
  /** queued | sending | sent | failed | suppressed */
  status: string;
  attempts: number;
  next_attempt_at: string;
  claimed_by: string | null;
  claimed_at: string | null;
  last_error: string | null;
  sent_at: string | null;
  created_at: string;
}

/**
 * Rendered digest sections, stored once and shared: 75k subscribers without topics share one
 * trending section, so the outbox stays a few hundred bytes per message instead of ~20 KB.
 */
export interface OutboxPartsTable {
  id: number;
  hash: string;
  html: string;
  text: string;
  /** Papers in the section: subjects say "and N more". */
  papers: number;
  created_at: string;
}

export interface MailDatabase extends Database {
  subscribers: SubscribersTable;
  webhooks: WebhooksTable;
  digest_runs: DigestRunsTable;
  outbox: OutboxTable;
  outbox_parts: OutboxPartsTable;
}

/** The shared Kysely handle, typed with the mail tables as well. */
export function mailKysely(k: Kysely<Database>): Kysely<MailDatabase> {
  return k as unknown as Kysely<MailDatabase>;
}

export const mailMigrations: Record<string, Migration> = {
  '0300_mail': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('subscribers')
        .addColumn('id', 'integer', autoId(db))
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('frequency', 'text', (c) => c.notNull())
        .addColumn('topics', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('confirmed_at', 'text')
        .addColumn('unsubscribed_at', 'text')
        .addColumn('bounced_at', 'text')
        .addColumn('notice_sent_at', 'text')
        .addColumn('bounce_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
        .execute();
      // The render pass pages through one frequency's confirmed subscribers by id.
      await db.schema.createIndex('subscribers_status_idx').on('subscribers').columns(['status', 'frequency', 'id']).execute();
      await db.schema.createIndex('subscribers_user_idx').on('subscribers').column('user_id').execute();

      await db.schema
        .createTable('webhooks')
        .addColumn('id', 'integer', autoId(db))
        .addColumn('subscriber_id', 'integer', (c) => c.references('subscribers.id').onDelete('cascade'))
        .addColumn('topic', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('disabled_at', 'text')
        .execute();

      await db.schema
        .createTable('digest_runs')
        .addColumn('period', 'text', (c) => c.primaryKey())
        .addColumn('frequency', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('rendered_at', 'text')
        .addColumn('prev_entry_id', 'integer', (c) => c.notNull())
        .addColumn('max_entry_id', 'integer', (c) => c.notNull())
        .addColumn('since_day', 'text', (c) => c.notNull())
        .addColumn('topics_since', 'text', (c) => c.notNull())
        .addColumn('queued', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();

      await db.schema
        .createTable('outbox_parts')
        .addColumn('id', 'integer', autoId(db))
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .addColumn('html', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('papers', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('outbox')
        .addColumn('id', 'integer', autoId(db))
        .addColumn('key', 'text', (c) => c.notNull().unique())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('subscriber_id', 'integer', (c) => c.references('subscribers.id').onDelete('cascade'))
        .addColumn('webhook_id', 'integer', (c) => c.references('webhooks.id').onDelete('cascade'))
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('period', 'text')
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('parts', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('payload', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'text', (c) => c.notNull())
        .addColumn('claimed_by', 'text')
        .addColumn('claimed_at', 'text')
        .addColumn('last_error', 'text')
        .addColumn('sent_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      // Workers pick the next due row: status first, then due time.
      await db.schema.createIndex('outbox_due_idx').on('outbox').columns(['status', 'next_attempt_at', 'id']).execute();
      await db.schema.createIndex('outbox_subscriber_idx').on('outbox').columns(['subscriber_id', 'status']).execute();
      await db.schema.createIndex('outbox_period_idx').on('outbox').columns(['period', 'status']).execute();
      // Topic alerts look for papers added since the last run.
      await db.schema.createIndex('papers_created_idx').on('papers').column('created_at').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('papers_created_idx').execute();
      for (const t of ['outbox', 'outbox_parts', 'digest_runs', 'webhooks', 'subscribers']) await db.schema.dropTable(t).execute();
    },
  },
};
