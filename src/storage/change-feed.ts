import pg from 'pg';
import { sql, type Kysely, type Migration } from 'kysely';
import { isPostgres } from './dialect.ts';

/**
 * Cached pages must notice writes made by any `serve` or `worker` process. SQLite tells a process
 * with `PRAGMA data_version`; on PostgreSQL, statement-level triggers on the tables that pages show
 * NOTIFY a channel after commit, and each process LISTENs on one dedicated connection and counts.
 * While that connection is down the version changes on every read, so nothing is served from cache
 * that might be stale; it reconnects with backoff.
 */
export const CHANGE_CHANNEL = 'dailypapers_changes';
const WATCHED = ['papers', 'daily_entries', 'settings', 'users', 'votes', 'comments', 'comment_votes'];

export const changeNotifyMigrations: Record<string, Migration> = {
  '0200_change_notify': {
    async up(db: Kysely<any>) {
      if (!isPostgres(db)) return;
      await sql
        .raw(
          `CREATE OR REPLACE FUNCTION dailypapers_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN PERFORM pg_notify('${CHANGE_CHANNEL}', TG_TABLE_NAME); RETURN NULL; END $$`,
        )
        .execute(db);
      for (const t of WATCHED) {
        await sql.raw(`CREATE TRIGGER ${t}_notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION dailypapers_notify_change()`).execute(db);
      }
    },
    async down(db: Kysely<any>) {
      if (!isPostgres(db)) return;
      for (const t of WATCHED) await sql.raw(`DROP TRIGGER IF EXISTS ${t}_notify_change ON ${t}`).execute(db);
      await sql.raw('DROP FUNCTION IF EXISTS dailypapers_notify_change()').execute(db);
    },
  },
};

export interface ChangeFeed {
  /** Grows with every committed change to a watched table (and on every call while disconnected). */
  version(): number;
  close(): Promise<void>;
}

export function listenForChanges(connectionString: string): ChangeFeed {
  let counter = 0;
  let connected = false;
  let closed = false;
  let client: pg.Client | null = null;
  let retryMs = 250;
  let timer: NodeJS.Timeout | null = null;

  const connect = async () => {
    if (closed) return;
    const c = new pg.Client({ connectionString, application_name: 'dailypapers-listen' });
    client = c;
    const lost = () => {
      if (client !== c) return;
      connected = false;
      client = null;
      c.end().catch(() => {});
      if (!closed) timer = setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5_000);
    };
    c.on('error', lost);
    c.on('end', lost);
    c.on('notification', () => {
      counter++;
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANGE_CHANNEL}`);
      // Whatever changed while we were not listening is unknown: start a new version.
      counter++;
      connected = true;
      retryMs = 250;
    } catch {
      lost();
    }
  };
  void connect();
  return {
    version: () => (connected ? counter : ++counter),
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = null;
      connected = false;
      await c?.end().catch(() => {});
    },
  };
}
