import { PostgresAdapter, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

/**
 * The few places where one migration must say different things to SQLite and PostgreSQL. Everything
 * else in the migrations is portable Kysely: text, integer, ISO-8601 dates as text, JSON as text.
 */
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** An integer key the database assigns: AUTOINCREMENT on SQLite (never reuses ids), an identity on PostgreSQL. */
export function autoId(db: Kysely<any>): (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder {
  return isPostgres(db) ? (c) => c.primaryKey().generatedByDefaultAsIdentity() : (c) => c.primaryKey().autoIncrement();
}

/** A float: SQLite's REAL is already 8 bytes, PostgreSQL's `real` is 4, so trending scores would lose digits. */
export function floatType(db: Kysely<any>): 'real' | 'double precision' {
  return isPostgres(db) ? 'double precision' : 'real';
}
