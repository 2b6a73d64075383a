import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Db, OpenOptions } from './db.ts';
import type { Database } from './schema.ts';
import { migrateOpened } from './migrations.ts';
import { listenForChanges, type ChangeFeed } from './change-feed.ts';

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

// count(*) and sums come back as int8, which pg hands over as strings to protect precision above
// 2^53; nothing here counts that high, and the SQLite backend returns numbers, so return numbers too.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

/** The URL as logs and `db stats` may show it: without the password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}

/**
 * A pool per process. Its size comes from `?pool=N` on the URL (removed before pg sees it), else
 * PG_POOL_MAX, else 10: several `serve` and `worker` processes share the server's max_connections.
 */
export async function openPostgres(url: string, opts: OpenOptions = {}): Promise<Db> {
  const u = new URL(url);
  const max = Number(u.searchParams.get('pool') ?? process.env.PG_POOL_MAX ?? 10);
  u.searchParams.delete('pool');
  const pool = new pg.Pool({
    connectionString: u.toString(),
    max: Number.isFinite(max) && max > 0 ? max : 10,
    // A dead server must fail requests quickly (503) rather than queue them for ever.
    connectionTimeoutMillis: Number(process.env.PG_CONNECT_TIMEOUT_MS ?? 5000),
    idleTimeoutMillis: 30_000,
    application_name: 'dailypapers',
  });
  // An idle client whose server went away emits 'error' on the pool; unhandled, that kills the
  // process. The pool drops the client by itself, and the next query reconnects.
  pool.on('error', () => {});
  // A client checked out by a request has no pool listener: its socket dying would emit an
  // unhandled 'error' and end the process. The query in flight already rejects (and becomes a 503).
  pool.on('connect', (client) => client.on('error', () => {}));
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let feed: ChangeFeed | null = null;
  const db: Db = {
    kysely,
    dialect: 'postgres',
    location: redactUrl(url),
    sqlite: null,
    pg: pool,
    changeFeed: () => (feed ??= listenForChanges(u.toString())),
    async close() {
      await feed?.close();
      await kysely.destroy();
    },
  };
  return migrateOpened(db, opts);
}
