import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import type { Db } from '../../storage/db.ts';
import type { Database } from '../../storage/schema.ts';
import { migrateToLatest } from '../../storage/migrations.ts';
import '../../storage/search-migrations.ts';

/**
 * Tests only: the app's `Db` over PGlite (PostgreSQL in WASM, with pgvector), so the search code
 * that needs pgvector runs end to end where the server at hand lacks it. A pg.Pool look-alike
 * feeds Kysely's PostgresDialect and the search modules' raw queries. PGlite is one session, so
 * callers must not overlap a transaction with other queries (the search tests run one at a time).
 */
export async function pgliteDb(opts: { pgvector?: boolean } = {}): Promise<{ db: Db; lite: PGlite }> {
  // int8 as numbers, as openPostgres sets for pg.
  const lite = new PGlite({ extensions: opts.pgvector === false ? {} : { vector }, parsers: { 20: (v: string) => Number(v) } });
  const query = async (text: string | { text: string; values?: unknown[] }, params?: unknown[]) => {
    const t = typeof text === 'string' ? text : text.text;
    const r = await lite.query(t, (typeof text === 'string' ? params : text.values) as unknown[]);
    return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length, command: t.trim().split(/\s+/)[0].toUpperCase(), fields: r.fields };
  };
  const client = { query, release() {}, on() {} };
  const pool = { query, connect: async () => client, end: async () => {}, on() {} };
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool: pool as never }) });
  await migrateToLatest(kysely);
  const db: Db = {
    kysely,
    dialect: 'postgres',
    location: 'pglite://memory',
    sqlite: null,
    pg: pool as unknown as pg.Pool,
    async close() {
      await kysely.destroy();
      await lite.close();
    },
  };
  return { db, lite };
}
