/**
 * npm run bench:http [-- --db PATH] [--duration S] [--connections N] [--no-cache] [--identity] [--json FILE]
 *
 * Serves a database of ~195k papers (all of ../shared/data, imported into a temp file first unless
 * --db names one) with `dailypapers serve` as a child process, and measures with autocannon, one
 * route after another: the feed page `/`, a paper page, `/search?q=transformer`, `/api/daily_papers`,
 * plus baselines in the same run: a fixed string from a bare node:http server (the floor), the feed
 * page's own bytes from that bare server (a static file of the same size) and `/healthz` (the
 * framework + one query). Prints req/s, p50/p99 latency, errors, bytes and server CPU per route,
 * and the ratio to the static baseline. --no-cache runs the server with PAGE_CACHE=0 to show
 * what the in-process page cache buys. Requests carry `Accept-Encoding: gzip, deflate, br` as
 * browsers' do (--identity to leave it out).
 *
 * Target (2 cores): feed page ≥ 3,000 req/s, p99 ≤ 20 ms, 0 errors.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/storage/db.ts';
import { isPostgresUrl, redactUrl } from '../src/storage/postgres.ts';
import { BIN, ROOT, SHARED, formatTable, measure, measureSteady, rawGet, startServe, startStaticBaseline, type Measured } from './http-load.ts';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    duration: { type: 'string', default: '30' },
    connections: { type: 'string', default: '100' },
    'no-cache': { type: 'boolean', default: false },
    identity: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const duration = Number(values.duration);
const TARGET = { rps: 3000, p99: 20, errors: 0 };
const connections = Number(values.connections);

/** Papers in the database, 0 if it does not exist yet; `--db` may also be a postgres:// URL. */
async function countPapers(location: string): Promise<number> {
  if (!isPostgresUrl(location) && !fs.existsSync(location)) return 0;
  try {
    const db = await openDatabase(location, { migrate: isPostgresUrl(location), readonly: !isPostgresUrl(location) });
    try {
      return (await db.kysely.selectFrom('papers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
    } finally {
      await db.close();
    }
  } catch {
    return 0;
  }
}

let dbFile = values.db ? (isPostgresUrl(values.db) ? values.db : path.resolve(values.db)) : '';
let tmpDir: string | null = null;
if (!dbFile || (await countPapers(dbFile)) === 0) {
  if (!dbFile) {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-bench-http-'));
    dbFile = path.join(tmpDir, 'bench.sqlite');
  }
  const inputs = [path.join(SHARED, 'arxiv-daily-2025-2026/shards'), path.join(SHARED, 'arxiv-cs-2007-2017')];
  console.log(`importing ${inputs.join(' + ')} into ${dbFile} ...`);
  const r = spawnSync(process.execPath, [BIN, 'import', '--quiet', '--db', dbFile, ...inputs], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0 && r.status !== 3) throw new Error(`import failed with exit ${r.status}`);
}
// Build the search vectors now, not in `serve`'s background sync while the load is measured.
const sync = spawnSync(process.execPath, [BIN, 'index', 'sync', '--db', dbFile], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
if (sync.status !== 0) console.error(`index sync exited with ${sync.status}; search may be keyword-only`);
const papers = await countPapers(dbFile);
const backend = isPostgresUrl(dbFile) ? 'PostgreSQL' : 'SQLite';
console.log(`database: ${backend} ${isPostgresUrl(dbFile) ? redactUrl(dbFile) : dbFile} (${papers.toLocaleString('en-US')} papers); ${connections} connections, ${duration} s per route; ${os.cpus().length} cores, Node ${process.version}`);

const loadAtStart = os.loadavg();
const rows: Measured[] = [];
const opts = { connections, duration, headers: (values.identity ? {} : { 'accept-encoding': 'gzip, deflate, br' }) as Record<string, string> };

async function baseline(name: string, file?: { path: string; headers: Record<string, string> }): Promise<void> {
  const b = await startStaticBaseline(file);
  try {
    rows.push(await measure(name, b.url, '/', { ...opts, pid: b.child.pid }));
  } finally {
    await b.stop();
  }
}

await baseline('static');
const server = await startServe(dbFile, values['no-cache'] ? { PAGE_CACHE: '0' } : {});
try {
  const items = (await (await fetch(`${server.url}/api/daily_papers?limit=1`)).json()) as { paper: { id: string } }[];
  const paperId = items[0]?.paper.id ?? '2503.00001';
  // The second baseline: the feed page's own bytes (as this client gets them) from a bare node:http
  // server, i.e. a static file of the same size. The server waits, idle, meanwhile.
  const feedNow = await rawGet(server.url + '/', opts.headers);
  const feedFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dp-bench-feed-')), 'feed.body');
  fs.writeFileSync(feedFile, feedNow.body);
  const kept = Object.fromEntries(['content-type', 'content-encoding', 'etag', 'vary', 'cache-control'].flatMap((k) => (feedNow.headers[k] ? [[k, String(feedNow.headers[k])]] : [])));
  await baseline('static-feed', { path: feedFile, headers: kept });
  fs.rmSync(path.dirname(feedFile), { recursive: true, force: true });

  const targets: [string, string][] = [
    ['healthz', '/healthz'],
    ['feed', '/'],
    ['paper', `/papers/${paperId}`],
    ['search', '/search?q=transformer'],
    ['api', '/api/daily_papers'],
  ];
  for (const [name, p] of targets) {
    // One request first: a route's first render pays for cold SQLite pages, JIT and model loading.
    const first = await rawGet(server.url + p, opts.headers);
    if (first.status !== 200) console.error(`${p} answered ${first.status}`);
    rows.push(await measure(name, server.url, p, { ...opts, pid: server.child.pid }));
  }
  // The target's reading: 3,000 requests a second arriving steadily at the feed, and their p99 (the
  // runs above are at saturation, where p99 is queueing behind 100 busy connections).
  rows.push(await measureSteady(`feed @${TARGET.rps}/s`, server.url, '/', { ...opts, pid: server.child.pid, rate: TARGET.rps }));
} finally {
  const code = await server.stop();
  if (code !== 0) console.error(`server exited with ${code}`);
}
if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });

const staticRps = rows[0]!.rps;
console.log(formatTable(rows, staticRps));
const feed = rows.find((r) => r.name === 'feed')!;
const atRate = rows.find((r) => r.name === `feed @${TARGET.rps}/s`)!;
const target = { ...TARGET };
const met = feed.rps >= target.rps && atRate.p99 <= target.p99 && feed.errors + atRate.errors <= target.errors;
console.log(
  `feed page target (>= 3,000 req/s; p99 <= 20 ms at 3,000 req/s; 0 errors): ${met ? 'met' : 'NOT met'} ` +
    `(${Math.round(feed.rps)} req/s at saturation, p99 ${feed.p99} ms there; p99 ${atRate.p99} ms at ${Math.round(atRate.rps)} req/s; ${feed.errors + atRate.errors} errors)`,
);
if (values.json) {
  const machine = { cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', ramGiB: os.totalmem() / 2 ** 30, node: process.version, loadAtStart, loadAtEnd: os.loadavg() };
  fs.writeFileSync(values.json, JSON.stringify({ machine, papers, connections, duration, cache: !values['no-cache'], gzip: !values.identity, backend, rows, target: { ...target, met } }, null, 2) + '\n');
}
