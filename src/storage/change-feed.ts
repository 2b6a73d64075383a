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
const CHANNEL_NAME = CHANGE_CHANNEL;
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
  /** Resolves once the first LISTEN is in place. */
  ready: Promise<void>;
  /**
   * Resolves once every commit made before the call has been counted. PostgreSQL delivers
   * notifications in commit order, so a notification this sends itself, once received, comes after
   * all of them. For tests and for a process that must read its own writes through the cache.
   */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export function listenForChanges(connectionString: string): ChangeFeed {
  let counter = 0;
  let connected = false;
  let closed = false;
  let client: pg.Client | null = null;
  let retryMs = 250;
  let timer: NodeJS.Timeout | null = null;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const syncs = new Map<string, () => void>();
  let syncSeq = 0;

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
    c.on('notification', (n) => {
      const waiter = n.payload ? syncs.get(n.payload) : undefined;
      if (waiter) {
        syncs.delete(n.payload!);
        waiter();
      } else counter++;
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANGE_CHANNEL}`);
      // Whatever changed while we were not listening is unknown: start a new version.
      counter++;
      connected = true;
      retryMs = 250;
      markReady();
    } catch {
      lost();
    }
  };
  void connect();
  return {
    version: () => (connected ? counter : ++counter),
    ready,
    async sync() {
      await ready;
      const token = `sync:${process.pid}:${++syncSeq}`;
      const seen = new Promise<void>((resolve) => syncs.set(token, resolve));
      await client?.query('SELECT pg_notify($1, $2)', [CHANNEL_NAME, token]);
      await seen;
    },
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
