import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase } from 'kysely';
import { isPostgresUrl, openPostgres } from './postgres.ts';
import type { Database } from './schema.ts';
import { migrateOpened } from './migrations.ts';
import { storageHint } from './sqlite-errors.ts';
// Every process must know every migration: Kysely refuses to open a database that ran one it does
// not know ("corrupted migrations"), so `db stats`, `backup`, `user` ... failed on a served database.
import './search-migrations.ts';

export type DialectName = 'sqlite' | 'postgres';

export interface Db {
  kysely: Kysely<Database>;
  dialect: DialectName;
  /** File path for SQLite; the URL (without password) for PostgreSQL. */
  location: string;
  /** The raw better-sqlite3 handle, for the few things Kysely cannot express (backup, pragmas). */
  sqlite: SQLite.Database | null;
  /** The pg pool, for LISTEN/NOTIFY, COPY and the job queue. */
  pg: import('pg').Pool | null;
  /** PostgreSQL: this process's view of commits by any process (started on first call). */
  changeFeed?: () => import('./change-feed.ts').ChangeFeed;
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
  if (isPostgresUrl(url)) return openPostgres(url, opts);
  const file = sqlitePathFromUrl(url);
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new SQLite(file, { readonly: opts.readonly ?? false });
  try {
    if (!opts.readonly) {
      // WAL lets readers (web requests) proceed while an import writes; NORMAL sync is safe under WAL.
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('synchronous = NORMAL');
    }
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    if (!opts.readonly) assertWritable(sqlite, file);
  } catch (err) {
    sqlite.close();
    throw withStorageHint(err, file);
  }
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  const db: Db = {
    kysely,
    dialect: 'sqlite',
    location: file,
    sqlite,
    pg: null,
    async close() {
      await kysely.destroy();
    },
  };
  return migrateOpened(db, opts, (err) => withStorageHint(err, file));
}

/**
 * Kysely's SQLite driver prepares every query anew (tens of µs each, several queries a page), which
 * showed in the HTTP profile. It gets a view of the connection whose prepare() reuses statements by
 * SQL text (better-sqlite3 re-prepares by itself after a schema change). A statement still busy (a
 * stream left open) is never handed out twice. Code using `db.sqlite` directly keeps the plain handle.
 */
function withStatementCache(sqlite: SQLite.Database, max = 500): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      const hit = cache.get(sql);
      if (hit && !hit.busy) return hit;
      const stmt = sqlite.prepare(sql);
      if (cache.size >= max) cache.delete(cache.keys().next().value!);
      cache.set(sql, stmt);
      return stmt;
    },
  };
}

/** A read-only or full disk at start-up: say which file and what to do, keeping SQLite's code. */
function withStorageHint(err: unknown, file: string): unknown {
  const hint = storageHint(err, file);
  if (!hint || !(err instanceof Error)) return err;
  return Object.assign(new Error(`${err.message}: ${hint}`, { cause: err }), { code: (err as { code?: string }).code, hinted: true });
}

/**
 * SQLite silently opens a write-protected file (or one in a read-only folder) read-only, and a fully
 * migrated database needs no write to open: the failure would only come with the first write, deep
 * in a request or a background job. So check at start: the file, its folder (for the -wal and -shm
 * files) and those files if present must be writable (access(2), so root passes as it can write),
 * and the write lock must be obtainable. A lock held elsewhere longer than busy_timeout is let through.
 */
function assertWritable(sqlite: SQLite.Database, file: string): void {
  if (file !== ':memory:') {
    for (const f of [file, path.dirname(path.resolve(file)), `${file}-wal`, `${file}-shm`]) {
      try {
        fs.accessSync(f, fs.constants.W_OK);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw Object.assign(new Error(`attempt to write a readonly database (${f} is not writable)`), { code: 'SQLITE_READONLY' });
      }
    }
  }
  try {
    sqlite.exec('BEGIN IMMEDIATE');
    sqlite.exec('ROLLBACK');
  } catch (err) {
    if (!String((err as { code?: string }).code).startsWith('SQLITE_BUSY')) throw err;
  }
}
