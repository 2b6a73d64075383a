/**
 * `dailypapers backup <file>` and `dailypapers restore <file>`, with SQLite's online backup API
 * (better-sqlite3's `db.backup()`): a consistent copy page by page, safe while the server runs and
 * writes (WAL readers do not block writers, and a backup that sees a concurrent write restarts
 * itself). Both directions use it, so a restore also goes through SQLite's locking rather than
 * copying files underneath a live connection.
 *
 * restore checks the file first (a SQLite database, `PRAGMA integrity_check` ok, our `papers`
 * table, no migrations newer than this version knows), refuses to overwrite a database that has
 * data unless --force, and always backs up the current database first.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import SQLite from 'better-sqlite3';
import { loadConfig } from '../../config.ts';
import { openDatabase, sqlitePathFromUrl } from '../../storage/db.ts';
import { EXIT, UsageError, line, type CliContext } from '../context.ts';

const BACKUP_HELP = `Usage: dailypapers backup <file> [--db PATH] [--force] [--quiet]

Writes a consistent copy of the database to <file> with SQLite's online backup API; safe while
the server is running. Refuses to overwrite an existing <file> unless --force.`;

const RESTORE_HELP = `Usage: dailypapers restore <file> [--db PATH] [--force] [--quiet]

Replaces the database with the backup in <file>, after checking that <file> is an intact Daily
Papers database. A database that already holds papers or accounts is only replaced with --force,
and is first backed up beside itself (<db>.pre-restore-<time>.sqlite). Stop the server first.`;

/** Pages per backup step: big enough to be quick, small enough to report progress. */
const PAGES_PER_STEP = 2048;
const TABLES_TO_COUNT = ['papers', 'daily_entries', 'users', 'votes', 'comments', 'subscribers'];

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { db: { type: 'string' }, force: { type: 'boolean', default: false }, quiet: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
  });
  return { values, file: positionals[0], extra: positionals.slice(1) };
}

/** One progress line: rewritten in place on a terminal, a line per quarter otherwise. */
function progressReporter(ctx: CliContext, label: string, quiet: boolean) {
  let lastQuarter = -1;
  return (p: { totalPages: number; remainingPages: number }): number => {
    if (quiet || p.totalPages === 0) return PAGES_PER_STEP;
    const pct = Math.floor(((p.totalPages - p.remainingPages) / p.totalPages) * 100);
    const text = `${label}: ${pct}% (${(p.totalPages - p.remainingPages).toLocaleString('en-US')} of ${p.totalPages.toLocaleString('en-US')} pages)`;
    if (ctx.stderr.isTTY) ctx.stderr.write(`\r${text}`);
    else if (Math.floor(pct / 25) > lastQuarter) {
      lastQuarter = Math.floor(pct / 25);
      line(ctx.stderr, text);
    }
    return PAGES_PER_STEP;
  };
}

async function copyWithBackupApi(source: SQLite.Database, dest: string, ctx: CliContext, label: string, quiet: boolean) {
  const result = await source.backup(dest, { progress: progressReporter(ctx, label, quiet) });
  if (!quiet) {
    const done = `${label}: 100% (${result.totalPages.toLocaleString('en-US')} pages)`;
    if (ctx.stderr.isTTY) ctx.stderr.write(`\r${done}\n`);
    else line(ctx.stderr, done);
  }
  return result.totalPages;
}

function dbFileFrom(values: { db?: string }, ctx: CliContext): string {
  const file = sqlitePathFromUrl(loadConfig({ db: values.db }, ctx.env).databaseUrl);
  if (file === ':memory:') throw new UsageError('an in-memory database cannot be backed up or restored');
  return path.resolve(ctx.cwd, file);
}

function counts(db: SQLite.Database): Record<string, number> {
  const have = new Set((db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]).map((r) => r.name));
  const out: Record<string, number> = {};
  for (const t of TABLES_TO_COUNT) if (have.has(t)) out[t] = (db.prepare(`select count(*) as n from "${t}"`).get() as { n: number }).n;
  return out;
}

function describe(c: Record<string, number>): string {
  return Object.entries(c).map(([t, n]) => `${n.toLocaleString('en-US')} ${t}`).join(', ');
}

/** Why `file` is not a usable backup, or null when it is. */
export function backupProblem(file: string): string | null {
  if (!fs.existsSync(file)) return `${file} does not exist`;
  const head = Buffer.alloc(16);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, head, 0, 16, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (head.toString('latin1') !== 'SQLite format 3\0') return `${file} is not a SQLite database`;
  let db: SQLite.Database;
  try {
    db = new SQLite(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    return `${file} cannot be opened: ${(err as Error).message}`;
  }
  try {
    const check = db.pragma('integrity_check') as { integrity_check: string }[];
    if (check.length !== 1 || check[0]!.integrity_check !== 'ok') return `${file} is damaged: integrity_check says ${check.map((r) => r.integrity_check).slice(0, 5).join('; ')}`;
    const tables = new Set((db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]).map((r) => r.name));
    if (!tables.has('papers')) return `${file} is a SQLite database but not a Daily Papers one (it has no papers table)`;
    return null;
  } catch (err) {
    return `${file} cannot be read: ${(err as Error).message}`;
  } finally {
    db.close();
  }
}

export async function run(argv: string[], ctx: CliContext): Promise<number> {
  const { values, file, extra } = parse(argv);
  if (values.help) {
    line(ctx.stdout, BACKUP_HELP);
    return EXIT.ok;
  }
  if (!file || extra.length) throw new UsageError('give exactly one backup file to write');
  const source = dbFileFrom(values, ctx);
  const dest = path.resolve(ctx.cwd, file);
  if (!fs.existsSync(source)) throw new Error(`there is no database at ${source}`);
  if (dest === source) throw new UsageError('the backup file must not be the database itself');
  if (fs.existsSync(dest) && !values.force) throw new Error(`${dest} already exists; pass --force to overwrite it`);
  fs.mkdirSync(path.dirname(dest), { recursive: true });

  const started = Date.now();
  // Written beside the destination and renamed when complete: a crash never leaves a half backup under the real name.
  const partial = `${dest}.partial-${process.pid}`;
  const db = new SQLite(source, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const pages = await copyWithBackupApi(db, partial, ctx, 'backup', values.quiet);
    const problem = backupProblem(partial);
    if (problem) throw new Error(`the backup failed its check: ${problem}`);
    fs.renameSync(partial, dest);
    const copy = new SQLite(dest, { readonly: true });
    const c = counts(copy);
    copy.close();
    const mb = fs.statSync(dest).size / 1024 / 1024;
    line(ctx.stdout, `backed up ${source} to ${dest}: ${pages.toLocaleString('en-US')} pages (${mb.toFixed(1)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s; ${describe(c)}`);
    return EXIT.ok;
  } finally {
    db.close();
    fs.rmSync(partial, { force: true });
  }
}

export async function restore(argv: string[], ctx: CliContext): Promise<number> {
  const { values, file, extra } = parse(argv);
  if (values.help) {
    line(ctx.stdout, RESTORE_HELP);
    return EXIT.ok;
  }
  if (!file || extra.length) throw new UsageError('give exactly one backup file to restore from');
  const backupFile = path.resolve(ctx.cwd, file);
  const target = dbFileFrom(values, ctx);
  if (backupFile === target) throw new UsageError('the backup file is the database itself');
  const problem = backupProblem(backupFile);
  if (problem) throw new Error(`refusing to restore: ${problem}`);

  const backup = new SQLite(backupFile, { readonly: true, fileMustExist: true });
  try {
    await assertKnownMigrations(backup, backupFile);
    if (fs.existsSync(target) && fs.statSync(target).size > 0) {
      const current = new SQLite(target, { fileMustExist: true });
      try {
        const c = counts(current);
        const hasData = (c.papers ?? 0) + (c.users ?? 0) + (c.subscribers ?? 0) > 0;
        if (hasData && !values.force) throw new Error(`${target} is not empty (${describe(c)}); pass --force to replace it (it is backed up first)`);
        const safety = `${target}.pre-restore-${new Date().toISOString().replace(/[:.]/g, '-')}.sqlite`;
        await copyWithBackupApi(current, safety, ctx, 'saving the current database', values.quiet);
        line(ctx.stdout, `saved the current database (${describe(c)}) to ${safety}`);
      } finally {
        current.close();
      }
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    await copyWithBackupApi(backup, target, ctx, 'restore', values.quiet);
  } finally {
    backup.close();
  }
  // Opening through the app applies any migrations newer than the backup.
  const db = await openDatabase(target);
  await db.close();
  const check = new SQLite(target, { readonly: true });
  try {
    const ok = (check.pragma('integrity_check', { simple: true }) as string) === 'ok';
    if (!ok) throw new Error(`the restored database at ${target} failed integrity_check; the previous one is saved beside it`);
    line(ctx.stdout, `restored ${backupFile} into ${target}: ${describe(counts(check))}`);
  } finally {
    check.close();
  }
  return EXIT.ok;
}

/** A backup from a newer version has migrations this one does not know: restoring it would break it. */
async function assertKnownMigrations(backup: SQLite.Database, file: string): Promise<void> {
  const has = backup.prepare("select 1 from sqlite_master where type = 'table' and name = 'kysely_migration'").get();
  if (!has) return;
  const names = (backup.prepare('select name from kysely_migration').all() as { name: string }[]).map((r) => r.name);
  // The migrations this version knows: the ones a fresh database gets.
  const mem = await openDatabase(':memory:');
  const known = new Set((await mem.kysely.selectFrom('kysely_migration' as never).select('name' as never).execute()).map((r) => (r as { name: string }).name));
  await mem.close();
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length) throw new Error(`refusing to restore: ${file} comes from a newer version (unknown migrations: ${unknown.join(', ')})`);
}
