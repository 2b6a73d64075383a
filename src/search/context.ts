import type { Db } from '../storage/db.ts';
import { migrateToLatest } from '../storage/migrations.ts';
import '../storage/search-migrations.ts';
import { createProvider, providerFromEnv } from './embeddings/index.ts';
import type { EmbeddingProvider } from './embeddings/provider.ts';
import { maybeRefreshDocFreqs } from './stats.ts';
import { flushVectors, openVectorState, syncVectors, vectorPaths, type SyncOptions, type VectorState } from './vectors.ts';
import { openPgVectorState, refreshPgVectors, syncPgVectors, type PgVectorState } from './pg/vectors.ts';
import { maybeRefreshDocFreqsPg } from './pg/stats.ts';
import { sql } from 'kysely';

/**
 * Per-database search state: the embedding provider and the open vector index. Kept in a
 * WeakMap so that closing and dropping a Db drops its index too.
 */
export interface SearchContext {
  provider: EmbeddingProvider | null;
  vectors: VectorState | null;
  /** PostgreSQL: this process's in-memory index, fed from the database (pg/vectors.ts). */
  pgVectors: PgVectorState | null;
  /** Serialises index writes (imports and rebuilds may overlap with each other). */
  chain: Promise<unknown>;
}

const contexts = new WeakMap<Db, SearchContext>();
const schemaReady = new WeakSet<Db>();

export async function ensureSearchSchema(db: Db): Promise<void> {
  if (schemaReady.has(db)) return;
  if (db.dialect === 'postgres') {
    const r = await sql<{ t: string | null }>`SELECT to_regclass('search_docs')::text AS t`.execute(db.kysely);
    if (!r.rows[0]?.t) await migrateToLatest(db.kysely);
    schemaReady.add(db);
    return;
  }
  if (!db.sqlite) throw new Error('search needs the SQLite storage');
  const has = db.sqlite.prepare("SELECT 1 FROM sqlite_master WHERE name = 'papers_fts'").get();
  if (!has) await migrateToLatest(db.kysely);
  schemaReady.add(db);
}

export interface ConfigureOptions {
  /** A provider instance, a spec string (`builtin`, `none`, `onnx:<dir>`, `openai:<url>#<model>`), or null for none. */
  provider?: EmbeddingProvider | string | null;
}

/** Chooses the embedding provider for this database (default: `SEARCH_PROVIDER` env, else built-in). */
export async function configureSearch(db: Db, opts: ConfigureOptions = {}): Promise<SearchContext> {
  await ensureSearchSchema(db);
  let provider: EmbeddingProvider | null;
  if (opts.provider === undefined) provider = await providerFromEnv(process.env, vectorPaths(db).model);
  else if (typeof opts.provider === 'string') provider = await createProvider(opts.provider, { modelPath: vectorPaths(db).model, env: process.env });
  else provider = opts.provider;
  const pg = db.dialect === 'postgres';
  const ctx: SearchContext = {
    provider,
    vectors: provider && !pg ? openVectorState(db, provider) : null,
    pgVectors: provider && pg ? await openPgVectorState(db, provider) : null,
    chain: Promise.resolve(),
  };
  contexts.set(db, ctx);
  return ctx;
}

/**
 * Where this process's vectors live: `usearch-file` (SQLite: an index file beside the database),
 * `pgvector` (PostgreSQL with the extension: one HNSW index in the database), `usearch` (PostgreSQL
 * without it: an in-memory index per process, fed from the database), or null (keyword only).
 */
export function vectorBackend(ctx: SearchContext): 'usearch-file' | 'pgvector' | 'usearch' | null {
  if (ctx.vectors) return 'usearch-file';
  return ctx.pgVectors?.backend ?? null;
}

export async function searchContext(db: Db): Promise<SearchContext> {
  const hit = contexts.get(db);
  if (hit) return hit;
  return configureSearch(db);
}

function serial<T>(ctx: SearchContext, fn: () => Promise<T>): Promise<T> {
  const run = ctx.chain.then(fn, fn);
  ctx.chain = run.catch(() => {});
  return run;
}

/** Refreshes the df snapshot if stale and embeds whatever is pending. Safe to call often: it is a no-op when nothing changed. */
export async function syncSearchIndex(db: Db, opts: SyncOptions = {}): Promise<number> {
  const ctx = await searchContext(db);
  return serial(ctx, async () => {
    if (db.dialect === 'postgres') {
      await maybeRefreshDocFreqsPg(db);
      return ctx.pgVectors ? syncPgVectors(db, ctx.pgVectors, opts) : 0;
    }
    maybeRefreshDocFreqs(db.sqlite!);
    return ctx.vectors ? syncVectors(db, ctx.vectors, opts) : 0;
  });
}

/** For `importPaths`/`importItems`: `{ onChanged: searchIndexHook(db) }` keeps vectors current. */
export function searchIndexHook(db: Db): (ids: string[]) => Promise<void> {
  return async (ids) => {
    await syncSearchIndex(db, { changed: ids });
  };
}

/** Saves vectors that were added since the last save (call at the end of an import and on shutdown). */
export async function flushSearchIndex(db: Db): Promise<void> {
  const ctx = contexts.get(db);
  // PostgreSQL stores each batch's vectors as it embeds them: nothing is held back.
  if (!ctx?.vectors) return;
  await serial(ctx, async () => flushVectors(db, ctx.vectors!));
}

/** PostgreSQL: catches this process's vector index up with other processes' writes (no-op on SQLite). */
export async function refreshSearchIndex(db: Db): Promise<void> {
  const ctx = contexts.get(db);
  if (db.dialect === 'postgres' && ctx?.pgVectors) await refreshPgVectors(db, ctx.pgVectors, true);
}
