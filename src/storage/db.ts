import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './schema.ts';
import { migrateToLatest } from './migrations.ts';

export type DialectName = 'sqlite' | 'postgres';

export interface Db {
  kysely: Kysely<Database>;
  dialect: DialectName;
  /** File path for SQLite; the URL (without password) for PostgreSQL. */
  location: string;
  /** The raw better-sqlite3 handle, for the few things Kysely cannot express (backup, pragmas). */
  sqlite: SQLite.Database | null;
  close(): Promise<void>;
}

export interface OpenOptions {
  migrate?: boolean;
  readonly?: boolean;
}

/** Accepts a file path, `sqlite:path`, `file:path`, or `:memory:`. */
export function sqlitePathFromUrl(url: string): string {
  if (url.startsWith('sqlite://')) return url.slice('sqlite://'.length);
  if (url.startsWith('sqlite:')) return url.slice('sqlite:'.length);
  if (url.startsWith('file:')) return url.slice('file:'.length);
  return url;
}

export async function openDatabase(url: string, opts: OpenOptions = {}): Promise<Db> {
  if (/^postgres(ql)?:\/\//.test(url)) {
    throw new Error('PostgreSQL is not supported yet: DATABASE_URL must be a SQLite file path');
  }
  const file = sqlitePathFromUrl(url);
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new SQLite(file, { readonly: opts.readonly ?? false });
  if (!opts.readonly) {
    // WAL lets readers (web requests) proceed while an import writes; NORMAL sync is safe under WAL.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
  }
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  const db: Db = {
    kysely,
    dialect: 'sqlite',
    location: file,
    sqlite,
    async close() {
      await kysely.destroy();
    },
  };
  if (opts.migrate !== false && !opts.readonly) await migrateToLatest(kysely);
  return db;
}
