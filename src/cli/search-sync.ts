/**
 * Keeping the search index current from the CLI: the import/fetch hook, and `serve`'s background
 * maintenance. The keyword index needs little of this (triggers update it on every write; serve
 * indexes what a killed import left queued); this is about the vector index, which lives outside SQLite and must be told.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Db } from '../storage/db.ts';
import { drainFtsPending } from '../storage/sqlite-bulk.ts';
import { configureSearch, vectorBackend, flushSearchIndex, refreshSearchIndex, searchContext, searchIndexHook, syncSearchIndex } from '../search/context.ts';
import { sql } from 'kysely';
import { isTrainable } from '../search/embeddings/provider.ts';
import { vectorPaths } from '../search/vectors.ts';

export interface ImportIndex {
  /** The `onChanged` hook of importPaths / importItems. */
  onChanged: (ids: string[]) => Promise<void>;
  /** At the end of the command: embeds what was put off, saves the index. Never throws. Returns how many papers it embedded. */
  finish: () => Promise<number>;
}

/**
 * Search upkeep for import and fetch: each committed batch is embedded as it lands.
 *
 * Except while the built-in model needs (re)training: it retrains whenever the corpus has grown
 * enough, and every retraining re-embeds every paper, so per-batch syncing of a bulk import into a
 * young database would train and re-embed dozens of times. Then batches are left pending and
 * `finish` trains once, on everything. Keyword search never waits (triggers).
 *
 * A provider that cannot start, or fails midway (an embeddings endpoint that is down), must not
 * fail the import: papers stay pending for the next sync. Warned once.
 */
export async function importIndex(db: Db, warn: (msg: string) => void): Promise<ImportIndex> {
  let failed = false;
  let deferred = false;
  const fail = (err: unknown) => {
    if (!failed) warn(`search: ${(err as Error).message}; new papers are searchable by keyword now, by meaning after \`dailypapers index sync\``);
    failed = true;
  };
  try {
    await configureSearch(db);
  } catch (err) {
    fail(err);
    await configureSearch(db, { provider: null });
  }
  const hook = searchIndexHook(db);
  return {
    async onChanged(ids) {
      if (failed || deferred) return;
      try {
        const p = (await searchContext(db)).provider;
        const corpus = await countRows(db, 'SELECT count(*) AS n FROM search_docs');
        if (p && isTrainable(p) && p.needsTraining(corpus)) deferred = true;
        else await hook(ids);
      } catch (err) {
        fail(err);
      }
    },
    async finish() {
      let n = 0;
      try {
        if (deferred && !failed) n = await syncSearchIndex(db);
        await flushSearchIndex(db);
      } catch (err) {
        fail(err);
      }
      return n;
    },
  };
}

/** Synchronous on SQLite (its import path stays free of extra round trips), a query on PostgreSQL. */
async function countRows(db: Db, query: string): Promise<number> {
  if (db.sqlite) return (db.sqlite.prepare(query).get() as { n: number }).n;
  return Number((await sql.raw<{ n: number }>(query).execute(db.kysely)).rows[0].n);
}

/**
 * The URL a child `index sync` is given. A PostgreSQL location is shown without its password, so
 * the child then relies on DATABASE_URL from the environment it inherits when that is set.
 */
function childDbUrl(db: Db): string {
  if (db.dialect === 'postgres' && db.location.includes('***') && /^postgres/.test(process.env.DATABASE_URL ?? '')) return process.env.DATABASE_URL!;
  return db.location;
}

interface Log {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface SearchMaintenance {
  stop(): Promise<void>;
}

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/dailypapers.js');
/**
 * Up to this many pending papers are embedded in the server process: what web writes add between
 * two ticks. Anything more is a bulk job for the child, as embedding blocks the event loop.
 */
const INLINE_MAX = 200;
/** A background build that failed is not retried more often than this. */
const RESPAWN_MS = 5 * 60_000;

function mtimes(db: Db): string {
  const p = vectorPaths(db);
  const m = (f: string | null) => (f && fs.existsSync(f) ? fs.statSync(f).mtimeMs : 0);
  return `${m(p.index)}:${m(p.model)}`;
}

/**
 * `serve`'s search upkeep, every `intervalMs` (and once at start):
 * - embeds papers written by the web (submissions, editors) and anything else left pending;
 * - reloads the vector index when another process (`import`, `index rebuild`) rewrote its files;
 * - hands heavy work (training the built-in model, embedding a whole corpus) to a child
 *   `dailypapers index sync`, because embedding is synchronous CPU work that would stall every
 *   request; search stays keyword-only (hybrid falls back) until the child is done.
 */
export async function startSearchMaintenance(opts: { db: Db; log: Log; intervalMs?: number; firstTickMs?: number }): Promise<SearchMaintenance> {
  const { db, log } = opts;
  let stamp = '';
  let child: ChildProcess | null = null;
  let lastSpawn = 0;
  let providerOk = false;
  let running: Promise<void> | null = null;
  let stopped = false;

  const count = (query: string) => countRows(db, query);
  // Papers an import queued for the keyword index and never indexed (it was killed). PostgreSQL
  // never defers its keyword index.
  if (db.sqlite) {
    try {
      const n = drainFtsPending(db.sqlite);
      if (n) log.info({ papers: n }, 'indexed papers a stopped import had queued for keyword search');
    } catch (err) {
      log.error({ err }, 'could not index the queued papers; the next import will');
    }
  }

  async function configure(): Promise<void> {
    try {
      const ctx = await configureSearch(db);
      if (!providerOk) log.info({ backend: vectorBackend(ctx), dialect: db.dialect }, 'search: vector backend');
      providerOk = true;
    } catch (err) {
      // Keyword search keeps working; the provider is retried on the next tick.
      if (providerOk || !stamp) log.error({ err }, 'search: embedding provider unavailable, serving keyword search only');
      providerOk = false;
      await configureSearch(db, { provider: null });
    }
    stamp = mtimes(db);
  }

  function spawnBuild(reason: string): void {
    lastSpawn = Date.now();
    const args = [BIN, 'index', 'sync', '--db', childDbUrl(db)];
    const c = spawn(process.execPath, args, { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    let out = '';
    c.stdout!.on('data', (d) => (out = (out + d).slice(-2000)));
    c.stderr!.on('data', (d) => (out = (out + d).slice(-2000)));
    log.info({ child: c.pid, reason }, 'search: building the vector index in the background');
    c.on('error', (err) => log.error({ err }, 'search: could not start the background index build'));
    c.on('close', (code) => {
      child = null;
      if (stopped) return;
      if (code === 0) {
        lastSpawn = 0;
        log.info({ result: out.trim().split('\n').pop() }, 'search: background index build done');
        void configure();
      } else log.error({ code, output: out.trim() }, 'search: background index build failed');
    });
  }

  async function tick(): Promise<void> {
    if (child || stopped) return;
    if (!providerOk || mtimes(db) !== stamp) await configure();
    const ctx = await searchContext(db);
    const p = ctx.provider;
    const vectors = ctx.vectors ?? ctx.pgVectors;
    if (!p || !vectors) return; // keyword only: triggers keep it current
    // PostgreSQL: take in what other processes embedded or deleted, even when idle.
    await refreshSearchIndex(db);
    const corpus = await count('SELECT count(*) AS n FROM search_docs');
    const pending = await count('SELECT count(*) AS n FROM search_docs WHERE embedded = 0');
    const trainable = isTrainable(p);
    const needsTraining = trainable && p.needsTraining(corpus);
    // A missing index (or one built by another model) means embedding the whole corpus.
    const fullBuild = !vectors.index && corpus > 0 && (!trainable || needsTraining || (p as { trained?: boolean }).trained === true);
    if (needsTraining || fullBuild || pending > INLINE_MAX) {
      if (Date.now() - lastSpawn >= RESPAWN_MS) spawnBuild(needsTraining ? 'model needs training' : fullBuild ? 'no vector index' : `${pending} papers pending`);
      return;
    }
    // Nothing written since the last tick: no sync, which would write index metadata (and so
    // invalidate every cached page) for nothing.
    if (pending === 0 && (await count('SELECT count(*) AS n FROM search_tombstones')) === 0) return;
    const n = await syncSearchIndex(db);
    if (n > 0) await flushSearchIndex(db);
    stamp = mtimes(db);
  }

  const run = () => {
    if (running) return;
    running = tick()
      .catch((err) => log.error({ err }, 'search: index upkeep failed'))
      .finally(() => (running = null));
  };
  // Loading the model and the vector index is synchronous: done before the server listens, not
  // while it is answering its first requests.
  await configure();
  // PostgreSQL: several servers share the papers, and what one of them embeds (its web writes) the
  // others should serve within seconds, so its upkeep runs more often; each tick is a few counts.
  const timer = setInterval(run, opts.intervalMs ?? (db.dialect === 'postgres' ? 5000 : 30_000));
  timer.unref();
  const first = setTimeout(run, opts.firstTickMs ?? 1000);
  first.unref();

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearTimeout(first);
      // Wait for a background build to be gone: it holds the database and index files open.
      const c = child;
      if (c) {
        const gone = new Promise<void>((resolve) => c.once('close', () => resolve()));
        c.kill('SIGTERM');
        const force = setTimeout(() => c.kill('SIGKILL'), 5000);
        await gone;
        clearTimeout(force);
      }
      await running;
      await flushSearchIndex(db).catch((err) => log.error({ err }, 'search: could not save the vector index'));
    },
  };
}
