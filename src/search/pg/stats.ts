import type { Db } from '../../storage/db.ts';
import { stems } from '../tokenize.ts';
import type { CollectionStats, TermStats } from '../stats.ts';

/**
 * The reranker's statistics on PostgreSQL. SQLite reads document frequencies from FTS5's own
 * vocabulary; PostgreSQL's lexemes are Snowball stems, not the Porter stems the reranker and the
 * built-in model use, so the snapshot is counted here with the reranker's own tokenizer, stored in
 * `search_df` (terms in 2+ papers) and `search_meta`, and held in memory by every process: the
 * reranker is synchronous and asks for a few dozen terms per query.
 */
interface Snapshot {
  version: string;
  stats: CollectionStats;
  df: Map<string, number>;
  checkedAt: number;
}

const snapshots = new WeakMap<Db, Snapshot>();
const inflight = new WeakMap<Db, Promise<Snapshot>>();
/** Another process may refresh the snapshot; its version is re-read this often. */
const RECHECK_MS = 5000;
const PAGE = 2000;

async function metaValues(db: Db, keys: string[]): Promise<Map<string, string>> {
  const r = await db.pg!.query<{ key: string; value: string }>('SELECT key, value FROM search_meta WHERE key = ANY($1::text[])', [keys]);
  return new Map(r.rows.map((x) => [x.key, x.value]));
}

async function load(db: Db, version: string, m: Map<string, string>): Promise<Snapshot> {
  const df = new Map<string, number>();
  const r = await db.pg!.query<{ term: string; df: number }>('SELECT term, df FROM search_df');
  for (const row of r.rows) df.set(row.term, row.df);
  const avg = JSON.parse(m.get('df.avg') ?? '[10,10,150]') as [number, number, number];
  return { version, stats: { docs: Number(m.get('df.docs') ?? 0), avgLen: avg }, df, checkedAt: Date.now() };
}

/** Recounts every paper's stems (one pass over the collection) and publishes the new snapshot. */
export async function refreshDocFreqsPg(db: Db): Promise<void> {
  const client = await db.pg!.connect();
  try {
    await client.query('BEGIN');
    // Two processes refreshing at once would both delete and re-insert the same terms.
    await client.query("SELECT pg_advisory_xact_lock(hashtext('dailypapers.search_df'))");
    const df = new Map<string, number>();
    let docs = 0;
    let titleLen = 0;
    let absLen = 0;
    let after = 0;
    for (;;) {
      const r = await client.query<{ k: number; t: string; a: string }>(
        'SELECT d.doc_id AS k, p.title AS t, p.abstract AS a FROM search_docs d JOIN papers p ON p.id = d.paper_id WHERE d.doc_id > $1 ORDER BY d.doc_id LIMIT $2',
        [after, PAGE],
      );
      if (!r.rows.length) break;
      after = r.rows[r.rows.length - 1].k;
      for (const row of r.rows) {
        const t = stems(row.t ?? '');
        const a = stems(row.a ?? '');
        docs++;
        titleLen += t.length;
        absLen += a.length;
        for (const s of new Set([...t, ...a])) df.set(s, (df.get(s) ?? 0) + 1);
      }
    }
    await client.query('DELETE FROM search_df');
    const kept = [...df].filter(([, n]) => n >= 2);
    for (let i = 0; i < kept.length; i += 20_000) {
      const chunk = kept.slice(i, i + 20_000);
      await client.query('INSERT INTO search_df(term, df) SELECT * FROM unnest($1::text[], $2::int[])', [chunk.map((x) => x[0]), chunk.map((x) => x[1])]);
    }
    const version = `${Date.now()}-${docs}`;
    const avg = JSON.stringify([docs ? Math.max(1, titleLen / docs) : 10, 10, docs ? Math.max(1, absLen / docs) : 150]);
    await client.query(
      `INSERT INTO search_meta(key, value) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      [['df.docs', 'df.avg', 'df.version'], [String(docs), avg, version]],
    );
    await client.query('COMMIT');
    snapshots.set(db, { version, stats: { docs, avgLen: JSON.parse(avg) }, df: new Map(kept), checkedAt: Date.now() });
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

async function current(db: Db): Promise<Snapshot> {
  const have = snapshots.get(db);
  if (have && Date.now() - have.checkedAt < RECHECK_MS) return have;
  const m = await metaValues(db, ['df.version', 'df.docs', 'df.avg']);
  const version = m.get('df.version');
  if (have && have.version === version) {
    have.checkedAt = Date.now();
    return have;
  }
  if (!version) {
    // No snapshot yet (a young database): count now, once, whoever asks first.
    const n = Number((await db.pg!.query<{ n: number }>('SELECT count(*) AS n FROM search_docs')).rows[0].n);
    if (n === 0) return { version: '', stats: { docs: 0, avgLen: [10, 10, 150] }, df: new Map(), checkedAt: Date.now() };
    await refreshDocFreqsPg(db);
    return snapshots.get(db)!;
  }
  const snap = await load(db, version, m);
  snapshots.set(db, snap);
  return snap;
}

/** The snapshot as the reranker's synchronous TermStats (a missing term is in at most one paper). */
export async function pgTermStats(db: Db): Promise<TermStats> {
  let p = inflight.get(db);
  if (!p) {
    p = current(db).finally(() => inflight.delete(db));
    inflight.set(db, p);
  }
  const snap = await p;
  const has = snap.version !== '';
  return {
    collection: () => snap.stats,
    docFreqs(terms) {
      const out = new Map<string, number>();
      for (const t of terms) out.set(t, snap.df.get(t) ?? (has ? 1 : 0));
      return out;
    },
  };
}

/** Refreshes the snapshot when the collection has changed by more than 10% since it was taken. */
export async function maybeRefreshDocFreqsPg(db: Db): Promise<boolean> {
  const now = Number((await db.pg!.query<{ n: number }>('SELECT count(*) AS n FROM search_docs')).rows[0].n);
  const then = Number((await metaValues(db, ['df.docs'])).get('df.docs') ?? 0);
  if (now === 0 || Math.abs(now - then) <= 0.1 * then) return false;
  await refreshDocFreqsPg(db);
  return true;
}
