import pg from 'pg';

/**
 * The suite runs once on SQLite and once on PostgreSQL: `TEST_DATABASE_URL=postgres://...` (an
 * admin connection to a throwaway cluster, see scripts/pg-cluster.sh) switches every fresh test
 * database to a new PostgreSQL database of its own.
 */
export const TEST_PG_URL = process.env.TEST_DATABASE_URL && /^postgres/.test(process.env.TEST_DATABASE_URL) ? process.env.TEST_DATABASE_URL : null;

/** Skip reason for tests of SQLite-only features (files, FTS5 internals) during the PostgreSQL run. */
export const SQLITE_ONLY = TEST_PG_URL ? 'SQLite-only feature (this run uses PostgreSQL)' : false;

let seq = 0;

/** Creates an empty database on the test cluster and returns its URL. */
export async function createPgDatabase(prefix = 'dp_test'): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!TEST_PG_URL) throw new Error('TEST_DATABASE_URL is not a postgres:// URL');
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}_${seq++}`;
  await admin(`CREATE DATABASE ${name}`);
  const u = new URL(TEST_PG_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function admin(statement: string): Promise<void> {
  const c = new pg.Client({ connectionString: TEST_PG_URL! });
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
}
