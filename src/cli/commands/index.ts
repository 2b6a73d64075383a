import fs from 'node:fs';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { loadConfig } from '../../config.ts';
import { openDatabase, type Db } from '../../storage/db.ts';
import { configureSearch, ensureSearchSchema, flushSearchIndex, syncSearchIndex, vectorBackend, type SearchContext } from '../../search/context.ts';
import { rebuildIndex, type RebuildProgress } from '../../search/index.ts';
import { vectorPaths } from '../../search/vectors.ts';
import { sql } from 'kysely';
import { EXIT, UsageError, line, type CliContext } from '../context.ts';

const HELP = `Usage: dailypapers index rebuild [--db PATH] [--provider SPEC] [--keyword-only] [--quiet]
       dailypapers index sync [--db PATH] [--provider SPEC]
       dailypapers index status [--db PATH]

The search index: SQLite FTS5 for keywords (kept in sync by triggers on every write) and an HNSW
vector index beside the database (<db>.vectors.usearch), updated by import and fetch. On
PostgreSQL: a weighted tsvector under GIN (triggers too), and vectors in the database: with the
pgvector extension, one HNSW index there (SEARCH_PGVECTOR=0 declines it); without, every process
loads them into its own in-memory index and keeps it current from a change log.

  rebuild   rebuild the keyword index from the papers table, then (re)train the built-in model
            and re-embed every paper: to recover a damaged index, or to switch models now.
  sync      embed what is pending: papers written without the import hook, or everything after
            a change of provider or model (search is keyword-only until then). \`serve\` runs
            this in the background.
  status    what is indexed, what is pending, and which model built the vectors.

Options:
  --db <path>         database (default: $DATABASE_URL or ./data/dailypapers.sqlite)
  --provider <spec>   builtin (default), none, onnx:<dir>, or openai:<base-url>#<model>
                      (default: $SEARCH_PROVIDER)
  --keyword-only      rebuild the keyword index only
  --quiet             no progress bar`;

const PHASES: Record<RebuildProgress['phase'], string> = { keyword: 'keyword index', train: 'training model', embed: 'embedding', save: 'saving' };

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * A progress reporter: a cli-progress bar per phase on a terminal; elsewhere (logs, CI) one line
 * per phase and per training message, never a line per batch.
 */
function reporter(ctx: CliContext, quiet: boolean) {
  const tty = !!ctx.stderr.isTTY && !quiet;
  const bar = tty
    ? new cliProgress.SingleBar({ stream: ctx.stderr, format: '{phase} {bar} {percentage}% | {value}/{total} | ETA {eta_formatted}', hideCursor: true, etaBuffer: 20 }, cliProgress.Presets.shades_classic)
    : null;
  let phase: string | null = null;
  return {
    onProgress(p: RebuildProgress) {
      const name = PHASES[p.phase] ?? p.phase;
      if (p.message) {
        bar?.stop();
        phase = null;
        if (!quiet) line(ctx.stderr, `${name}: ${p.message}`);
        return;
      }
      if (name !== phase) {
        phase = name;
        if (bar) bar.start(Math.max(p.total, 1), p.done, { phase: name.padEnd(14) });
        else if (!quiet) line(ctx.stderr, `${name}: ${fmt(p.total)} papers`);
      } else bar?.update(p.done);
    },
    stop() {
      bar?.stop();
    },
  };
}

async function count(db: Db, query: string): Promise<number> {
  const r = await sql.raw<{ n: number }>(query).execute(db.kysely);
  return Number(r.rows[0].n);
}

async function meta(db: Db, key: string): Promise<string | null> {
  const r = await sql<{ value: string }>`SELECT value FROM search_meta WHERE key = ${key}`.execute(db.kysely);
  return r.rows[0]?.value ?? null;
}

/** PostgreSQL keeps vectors and the built-in model in tables, not files. */
async function pgStorage(db: Db, search: SearchContext): Promise<[string, string][]> {
  const size = async (t: string) => `${(Number((await sql.raw<{ n: number }>(`SELECT coalesce(pg_total_relation_size(to_regclass('${t}')), 0) AS n`).execute(db.kysely)).rows[0].n) / 1e6).toFixed(1)} MB`;
  const pgvector = vectorBackend(search) === 'pgvector';
  return [
    ['vector backend', pgvector ? 'pgvector (one HNSW index in the database, queried in SQL)' : `usearch (an in-memory index per process, fed from the database; ${process.env.SEARCH_PGVECTOR === '0' ? 'pgvector declined: SEARCH_PGVECTOR=0' : 'no pgvector on this server'})`],
    pgvector
      ? ['vector store', `${await size('paper_vectors')} in the database (paper_vectors, with its HNSW index)`]
      : ['vector store', `${await size('search_vectors')} in the database (search_vectors; each process loads it into memory)`],
    ['model store', `${await size('search_blobs')} in the database (search_blobs)`],
  ];
}

function fileSize(p: string | null): string {
  if (!p || !fs.existsSync(p)) return 'none';
  return `${(fs.statSync(p).size / 1e6).toFixed(1)} MB (${p})`;
}

export async function run(argv: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      db: { type: 'string' },
      provider: { type: 'string' },
      'keyword-only': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    line(ctx.stdout, HELP);
    return EXIT.ok;
  }
  const [sub, ...extra] = positionals;
  if (!sub) throw new UsageError('say what to do: `dailypapers index rebuild`, `index sync` or `index status` (see --help)');
  if (!['rebuild', 'sync', 'status'].includes(sub)) throw new UsageError(`unknown subcommand "${sub}" (use rebuild, sync or status)`);
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (values['keyword-only'] && sub !== 'rebuild') throw new UsageError('--keyword-only only applies to rebuild');

  const started = Date.now();
  const db = await openDatabase(loadConfig({ db: values.db }, ctx.env).databaseUrl);
  const progress = reporter(ctx, values.quiet);
  try {
    // --provider wins over $SEARCH_PROVIDER; a provider that cannot start (endpoint down) fails here.
    const spec = values.provider ?? ctx.env.SEARCH_PROVIDER;
    const ctxSearch = await configureSearch(db, spec === undefined ? {} : { provider: spec });
    const provider = ctxSearch.provider;
    // Read when printed: training the built-in model changes its name.
    const model = () => (provider ? `${provider.name} ${provider.model}` : 'none');
    const secs = () => ((Date.now() - started) / 1000).toFixed(1);
    if (sub === 'status') {
      await ensureSearchSchema(db);
      const paths = vectorPaths(db);
      const vectorCount = Number((await meta(db, 'vector.count')) ?? 0);
      const rows: [string, string][] = [
        ['papers', fmt(await count(db, 'SELECT count(*) AS n FROM papers'))],
        ['keyword index', `${fmt(await count(db, 'SELECT count(*) AS n FROM search_docs'))} papers (kept in sync by triggers)`],
        ['vectors', `${fmt(vectorCount)} by ${(await meta(db, 'vector.provider')) ?? '-'} ${(await meta(db, 'vector.model')) ?? ''}`.trim()],
        ['pending', `${fmt(await count(db, 'SELECT count(*) AS n FROM search_docs WHERE embedded = 0'))} papers to embed, ${fmt(await count(db, 'SELECT count(*) AS n FROM search_tombstones'))} to remove`],
        ['provider', model()],
        ...(db.dialect === 'postgres'
          ? await pgStorage(db, ctxSearch)
          : ([
              ['vector backend', ctxSearch.vectors ? 'usearch (an index file beside the database)' : 'none'],
              ['vector file', fileSize(paths.index) + (paths.index && !fs.existsSync(paths.index) && vectorCount > 0 ? ': missing, the next sync re-embeds everything' : '')],
              ['model file', fileSize(paths.model)],
            ] as [string, string][])),
      ];
      for (const [k, v] of rows) line(ctx.stdout, `${k.padEnd(14)} ${v}`);
      return EXIT.ok;
    }
    if (sub === 'sync') {
      const n = await syncSearchIndex(db, { onProgress: (p) => progress.onProgress(p) });
      await flushSearchIndex(db);
      progress.stop();
      line(ctx.stdout, `search index synced in ${secs()} s: embedded ${fmt(n)} papers (${model()})`);
      return EXIT.ok;
    }
    const r = await rebuildIndex(db, { onProgress: (p) => progress.onProgress(p), vectors: !values['keyword-only'] });
    await flushSearchIndex(db);
    progress.stop();
    const vectors = values['keyword-only'] ? 'vectors left as they were' : provider ? `${fmt(r.embedded)} vectors (${model()})` : 'no vectors (provider: none)';
    line(ctx.stdout, `search index rebuilt in ${secs()} s: ${fmt(r.papers)} papers in the keyword index, ${vectors}`);
    return EXIT.ok;
  } finally {
    progress.stop();
    await db.close();
  }
}
