import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { CompiledQuery, sql, type Kysely, type Transaction } from 'kysely';
import { openDatabase, sqlitePathFromUrl, type Db } from '../../storage/db.ts';
import { isPostgresUrl, redactUrl } from '../../storage/postgres.ts';
import type { Database } from '../../storage/schema.ts';
import { EXIT, UsageError, line, type CliContext } from '../context.ts';

const HELP = `Usage: dailypapers db copy --from <db> --to <db> [options]

Copies every application table from one database to another, e.g. an SQLite file to PostgreSQL:
  dailypapers db copy --from data/dailypapers.sqlite --to postgres://user@host/dailypapers

The target is migrated first, rows keep their ids, identity sequences are moved past the copied
ids, and per-table row counts are compared at the end (exit 1 on any difference). The copy runs in
one target transaction: if it fails, the target is left as it was. Stop writers to the source first:
the source is read in one snapshot, so later writes are not copied.

Options:
  --from <db>         source: an SQLite file or a postgres:// URL (required)
  --to <db>           target: an SQLite file or a postgres:// URL (required)
  --truncate          empty the target's application tables first (alias: --force);
                      without it a target holding any rows is refused
  --batch-size <n>    rows per INSERT (default 2000; capped by the bound-parameter limit)
  --dry-run           print what would be copied; write nothing (the target is not migrated)
  --no-index          do not rebuild the target's search index afterwards
  --no-vectors        rebuild the keyword index only (\`index sync\` or \`serve\` embeds later)
  --quiet             no progress output`;

/**
 * Not application data: Kysely's migration bookkeeping, SQLite internals, and the search index
 * (keyword tables, vectors), which each backend derives from `papers` in its own form.
 */
const SKIP = [/^kysely_/, /^sqlite_/, /^search_/, /^papers_fts/, /^paper_vectors$/];

/** SQLite allows 32766 bound parameters, PostgreSQL 65535: stay under both. */
const MAX_PARAMS = 30_000;

type Q = Kysely<Database> | Transaction<Database>;

interface Table {
  name: string;
  columns: string[];
  key: string[];
  /** Tables this one references, for the copy order. */
  refs: string[];
}

const qi = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function rows<T>(q: Q, text: string, params: unknown[] = []): Promise<T[]> {
  return (await q.executeQuery<T>(CompiledQuery.raw(text, params))).rows;
}

/** Placeholders differ ($n vs ?); everything else in this file is SQL both dialects accept. */
function ph(db: Db, n: number): string {
  return db.dialect === 'postgres' ? `$${n}` : '?';
}

async function tableNames(db: Db, q: Q): Promise<string[]> {
  const names = db.dialect === 'postgres'
    ? await rows<{ name: string }>(q, `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
    : await rows<{ name: string }>(q, `SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'`);
  return names.map((r) => r.name).filter((n) => !SKIP.some((re) => re.test(n))).sort();
}

async function describe(db: Db, q: Q, name: string): Promise<Table> {
  if (db.dialect === 'postgres') {
    // Generated columns cannot be written; the target computes its own.
    const cols = await rows<{ name: string }>(q, `SELECT column_name AS name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position`, [name]);
    const key = await rows<{ name: string }>(q, `SELECT a.attname AS name FROM pg_index i
      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
      WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)`, [qi(name)]);
    const refs = await rows<{ name: string }>(q, `SELECT c2.relname AS name FROM pg_constraint k JOIN pg_class c2 ON c2.oid = k.confrelid
      WHERE k.conrelid = $1::regclass AND k.contype = 'f'`, [qi(name)]);
    return { name, columns: cols.map((c) => c.name), key: key.map((k) => k.name), refs: refs.map((r) => r.name) };
  }
  // hidden: 0 ordinary, 1 virtual-table hidden, 2/3 generated.
  const cols = await rows<{ name: string; pk: number; hidden: number }>(q, `SELECT name, pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid`, [name]);
  const refs = await rows<{ name: string }>(q, `SELECT DISTINCT "table" AS name FROM pragma_foreign_key_list(?)`, [name]);
  const plain = cols.filter((c) => c.hidden === 0);
  return { name, columns: plain.map((c) => c.name), key: plain.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name), refs: refs.map((r) => r.name) };
}

/** Referenced tables first. Self-references (comment replies) are handled by copying in key order. */
export function fkOrder(tables: Table[]): Table[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const done = new Set<string>();
  const out: Table[] = [];
  const visit = (t: Table, path: string[]) => {
    if (done.has(t.name)) return;
    if (path.includes(t.name)) throw new Error(`foreign keys form a cycle (${[...path, t.name].join(' -> ')}); cannot order the copy`);
    for (const r of t.refs) if (r !== t.name && byName.has(r)) visit(byName.get(r)!, [...path, t.name]);
    done.add(t.name);
    out.push(t);
  };
  for (const t of tables) visit(t, []);
  return out;
}

async function countRows(q: Q, table: string): Promise<number> {
  const [r] = await rows<{ n: number | string }>(q, `SELECT count(*) AS n FROM ${qi(table)}`);
  return Number(r.n);
}

/** Key-ordered pages: constant memory whatever the table size, and parents before their replies. */
async function* pages(db: Db, q: Q, t: Table, size: number): AsyncGenerator<Record<string, unknown>[]> {
  const cols = t.columns.map(qi).join(', ');
  const key = t.key.map(qi).join(', ');
  let last: unknown[] | null = null;
  for (;;) {
    const where: string = last ? `WHERE (${key}) > (${last.map((_, i) => ph(db, i + 1)).join(', ')})` : '';
    const batch: Record<string, unknown>[] = await rows<Record<string, unknown>>(q, `SELECT ${cols} FROM ${qi(t.name)} ${where} ORDER BY ${key} LIMIT ${size}`, last ?? []);
    if (batch.length === 0) return;
    yield batch;
    if (batch.length < size) return;
    const tail: Record<string, unknown> = batch[batch.length - 1];
    last = t.key.map((k): unknown => tail[k]);
  }
}

async function insertBatch(db: Db, q: Q, t: Table, batch: Record<string, unknown>[]): Promise<void> {
  const params: unknown[] = [];
  const tuples = batch.map((r) => `(${t.columns.map((c) => (params.push(r[c]), ph(db, params.length))).join(', ')})`);
  // OVERRIDING SYSTEM VALUE keeps the source ids even in a GENERATED ALWAYS identity column.
  const override = db.dialect === 'postgres' ? ' OVERRIDING SYSTEM VALUE' : '';
  await q.executeQuery(CompiledQuery.raw(`INSERT INTO ${qi(t.name)} (${t.columns.map(qi).join(', ')})${override} VALUES ${tuples.join(', ')}`, params));
}

/** Columns whose values the database assigns (identity / AUTOINCREMENT), with the highest id ever handed out. */
async function idHighWater(db: Db, q: Q, table: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (db.dialect === 'postgres') {
    const cols = await rows<{ col: string; hw: number | string | null }>(q, `SELECT column_name AS col,
        pg_sequence_last_value(pg_get_serial_sequence($1, column_name)::regclass) AS hw
      FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $2
        AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')`, [qi(table), table]);
    for (const c of cols) out.set(c.col, Number(c.hw ?? 0));
    return out;
  }
  const hasSeq = await rows(q, `SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'`);
  if (!hasSeq.length) return out;
  const [seq] = await rows<{ seq: number }>(q, `SELECT seq FROM sqlite_sequence WHERE name = ?`, [table]);
  const pk = (await rows<{ name: string; pk: number; type: string }>(q, `SELECT name, pk, type FROM pragma_table_info(?)`, [table])).filter((c) => c.pk > 0);
  if (pk.length === 1 && /^integer$/i.test(pk[0].type)) out.set(pk[0].name, seq?.seq ?? 0);
  return out;
}

/**
 * New rows on the target must not collide with copied ids, nor reuse ids the source had already
 * handed out (AUTOINCREMENT never reuses; links in old emails may name a deleted id).
 */
async function advanceIds(target: Db, q: Q, table: string, sourceHw: Map<string, number>): Promise<void> {
  for (const col of (await idHighWater(target, q, table)).keys()) {
    const [m] = await rows<{ m: number | string | null }>(q, `SELECT max(${qi(col)}) AS m FROM ${qi(table)}`);
    const top = Math.max(Number(m.m ?? 0), sourceHw.get(col) ?? 0);
    if (target.dialect === 'postgres') {
      await rows(q, `SELECT setval(pg_get_serial_sequence($1, $2), $3, $4)`, [qi(table), col, Math.max(top, 1), top > 0]);
    } else if (top > 0) {
      await rows(q, `INSERT INTO sqlite_sequence(name, seq) SELECT ?, 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?)`, [table, table]);
      await rows(q, `UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?`, [top, table]);
    }
  }
}

async function emptyTarget(db: Db, q: Q, ordered: Table[]): Promise<void> {
  if (db.dialect === 'postgres') {
    // CASCADE also empties tables keyed on these (search index tables), which would be stale anyway.
    await rows(q, `TRUNCATE ${ordered.map((t) => qi(t.name)).join(', ')} RESTART IDENTITY CASCADE`);
    return;
  }
  // Row by row, so the search triggers keep the keyword index consistent.
  for (const t of [...ordered].reverse()) await rows(q, `DELETE FROM ${qi(t.name)}`);
}

/** What identifies a database, to refuse copying one onto itself. */
function identity(url: string): string {
  return isPostgresUrl(url) ? redactUrl(url) : path.resolve(sqlitePathFromUrl(url));
}

const fmt = (n: number) => n.toLocaleString('en-US');

export async function run(argv: string[], ctx: CliContext): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      truncate: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      'batch-size': { type: 'string', default: '2000' },
      'dry-run': { type: 'boolean', default: false },
      'no-index': { type: 'boolean', default: false },
      'no-vectors': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    line(ctx.stdout, HELP);
    return EXIT.ok;
  }
  if (!values.from || !values.to) throw new UsageError('db copy needs both --from <db> and --to <db> (an SQLite file or a postgres:// URL)');
  const batchSize = Number(values['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new UsageError(`--batch-size must be a positive integer; got "${values['batch-size']}"`);
  if (identity(values.from) === identity(values.to)) throw new UsageError(`--from and --to name the same database (${identity(values.from)})`);
  if (!isPostgresUrl(values.from)) {
    const file = sqlitePathFromUrl(values.from);
    // openDatabase would create a missing file and report an empty source.
    if (file === ':memory:' || !fs.existsSync(file)) throw new UsageError(`--from: no SQLite database at ${file}`);
  }
  const dryRun = values['dry-run'];
  const quiet = values.quiet;
  const log = (s: string) => line(ctx.stderr, s);

  const source = await openDatabase(values.from, { migrate: false, readonly: true });
  let target: Db | null = null;
  try {
    target = await openDatabase(values.to, { migrate: !dryRun });
    const tgt = target;
    let verified = false;
    // One snapshot for counting, copying and verifying (READ ONLY also guards the source).
    const code = await source.kysely.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(async (src) => {
      const names = await tableNames(source, src);
      const targetNames = new Set(await tableNames(tgt, tgt.kysely));
      const tables = fkOrder(await Promise.all(names.map((n) => describe(source, src, n))));
      const counts = new Map<string, number>();
      for (const t of tables) counts.set(t.name, await countRows(src, t.name));
      const total = [...counts.values()].reduce((a, b) => a + b, 0);

      const problems: string[] = [];
      for (const t of tables) {
        if (!t.key.length) problems.push(`source table ${t.name} has no primary key, so it cannot be paged through in a stable order`);
        if (!targetNames.has(t.name)) {
          if (!dryRun || targetNames.size > 0) problems.push(`source table ${t.name} does not exist in the target (is the target at an older version of dailypapers?)`);
          continue;
        }
        const have = new Set((await describe(tgt, tgt.kysely, t.name)).columns);
        const missing = t.columns.filter((c) => !have.has(c));
        if (missing.length) problems.push(`target table ${t.name} lacks column(s) ${missing.join(', ')} that the source has`);
      }
      if (problems.length) {
        for (const p of problems) log(`db copy: ${p}`);
        log('db copy: nothing was copied');
        return EXIT.failure;
      }

      const nonEmpty: string[] = [];
      for (const t of tables) if (targetNames.has(t.name) && (await rows(tgt.kysely, `SELECT 1 FROM ${qi(t.name)} LIMIT 1`)).length) nonEmpty.push(t.name);
      const truncate = values.truncate || values.force;
      if (nonEmpty.length && !truncate) {
        log(`db copy: the target ${tgt.location} already holds data (in ${nonEmpty.join(', ')}); copying into it would mix two instances.`);
        log('db copy: use an empty database, or pass --truncate to delete the target\'s rows first. Nothing was copied.');
        return EXIT.failure;
      }

      log(`${dryRun ? '(dry run) would copy' : 'copying'} ${fmt(total)} rows in ${tables.length} tables: ${source.location} -> ${tgt.location}`);
      if (dryRun) {
        for (const t of tables) line(ctx.stdout, `${t.name.padEnd(16)} ${fmt(counts.get(t.name)!).padStart(12)} rows  (${t.columns.length} columns)`);
        if (nonEmpty.length) line(ctx.stdout, `would first empty the target's ${nonEmpty.join(', ')}`);
        return EXIT.ok;
      }

      const progress = reporter(ctx, quiet, total);
      const started = Date.now();
      try {
        await tgt.kysely.transaction().execute(async (dst) => {
          if (nonEmpty.length) await emptyTarget(tgt, dst, tables);
          for (const t of tables) {
            const perInsert = Math.max(1, Math.min(batchSize, Math.floor(MAX_PARAMS / Math.max(t.columns.length, 1))));
            let done = 0;
            progress.table(t.name, counts.get(t.name)!);
            for await (const batch of pages(source, src, t, perInsert)) {
              try {
                await insertBatch(tgt, dst, t, batch);
              } catch (err) {
                const first = t.key.map((k) => batch[0][k]).join(', ');
                throw new Error(`copying ${t.name} (batch starting at ${t.key.join(', ')} = ${first}): ${(err as Error).message}`, { cause: err });
              }
              done += batch.length;
              progress.rows(t.name, done, batch.length);
            }
            await advanceIds(tgt, dst, t.name, await idHighWater(source, src, t.name));
          }
        });
      } finally {
        progress.stop();
      }
      const secs = Math.max((Date.now() - started) / 1000, 0.001);
      log(`copied ${fmt(total)} rows in ${secs.toFixed(1)} s (${fmt(Math.round(total / secs))} rows/s)`);

      // Verify against the source snapshot, after the target committed.
      let mismatches = 0;
      line(ctx.stdout, `${'table'.padEnd(16)} ${'source'.padStart(12)} ${'target'.padStart(12)}`);
      for (const t of tables) {
        const want = counts.get(t.name)!;
        const got = await countRows(tgt.kysely, t.name);
        if (got !== want) mismatches++;
        line(ctx.stdout, `${t.name.padEnd(16)} ${fmt(want).padStart(12)} ${fmt(got).padStart(12)}${got === want ? '' : '  MISMATCH'}`);
      }
      if (mismatches) {
        log(`db copy: ${mismatches} table(s) differ between source and target (was something writing to the target?)`);
        return EXIT.failure;
      }
      line(ctx.stdout, `verified: ${tables.length} tables, ${fmt(total)} rows, counts identical`);
      verified = true;
      return EXIT.ok;
    });
    if (!verified || values['no-index']) return code;
    return await rebuildSearch(tgt, ctx, quiet, !values['no-vectors']);
  } finally {
    await target?.close();
    await source.close();
  }
}

/**
 * Triggers index every copied paper's text as it lands; the rebuild also refreshes term statistics
 * and embeds every paper (SQLite: usearch file beside the database; PostgreSQL: in the database).
 */
async function rebuildSearch(db: Db, ctx: CliContext, quiet: boolean, vectors: boolean): Promise<number> {
  const { rebuildIndex } = await import('../../search/index.ts');
  const started = Date.now();
  let phase = '';
  const r = await rebuildIndex(db, {
    vectors,
    onProgress: (p) => {
      if (quiet) return;
      if (p.message) line(ctx.stderr, `search index: ${p.message}`);
      else if (p.phase !== phase) line(ctx.stderr, `search index: ${(phase = p.phase)} (${fmt(p.total)})`);
    },
  });
  line(ctx.stdout, `search index rebuilt: ${fmt(r.papers)} papers, ${fmt(r.embedded)} embedded, in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return EXIT.ok;
}

/** A bar on a terminal; elsewhere a line per table and at most one progress line every 5 s. */
function reporter(ctx: CliContext, quiet: boolean, total: number) {
  const bar = ctx.stderr.isTTY && !quiet
    ? new cliProgress.SingleBar({ stream: ctx.stderr, format: '{table} {bar} {percentage}% | {value}/{total} rows | {rate}/s | ETA {eta_formatted}', hideCursor: true, etaBuffer: 20 }, cliProgress.Presets.shades_classic)
    : null;
  const started = Date.now();
  let copied = 0;
  let lastLine = Date.now();
  let tableRows = 0;
  bar?.start(Math.max(total, 1), 0, { table: ''.padEnd(14), rate: 0 });
  return {
    table(name: string, rowsInTable: number) {
      tableRows = rowsInTable;
      bar?.update(copied, { table: name.padEnd(14) });
    },
    rows(name: string, done: number, added: number) {
      copied += added;
      const rate = fmt(Math.round(copied / Math.max((Date.now() - started) / 1000, 0.001)));
      if (bar) return bar.update(copied, { rate });
      if (quiet) return;
      if (done === tableRows || Date.now() - lastLine > 5000) {
        lastLine = Date.now();
        line(ctx.stderr, `${name}: ${fmt(done)}/${fmt(tableRows)} rows (${fmt(copied)}/${fmt(total)} overall, ${rate}/s)`);
      }
    },
    stop() {
      bar?.stop();
    },
  };
}
