/**
 * npm run bench [-- --only import,search,http,digest,fuzz] [--quick] [--out FILE]
 *                  [--http-db PATH] [--search-reuse DIR] [--search-database-url postgres://...]
 *                  [--http-database-url postgres://...] [--search-pg-reuse DBNAME]
 *
 * Runs every benchmark (bench/*.ts, each with `--json FILE`) one after another and writes
 * docs/BENCHMARKS.md from their figures: the machine, the corpus sizes, each figure next to the
 * baseline measured in the same run and the ratio, and the targets with met/missed. The report is
 * generated in full; edit the fixed text here, not the file.
 *
 * Only a full run (every benchmark, full durations) writes docs/BENCHMARKS.md by default: a partial
 * (`--only`) or `--quick` run prints the report, and writes it only where `--out` says, labelled as
 * partial, so a smoke test cannot replace the published figures.
 *
 * --quick       short durations and smaller inputs, a smoke test of the whole pipeline (minutes)
 * --http-db     reuse a database for bench:http instead of importing ../shared/data again
 * --search-reuse DIR  reuse (or keep) bench:search's database in DIR (its `--reuse`)
 * --search-database-url URL  run bench:search a second time on that PostgreSQL server (in a fresh
 *               database it creates and drops) and report it beside SQLite
 * --keep-json DIR     keep each benchmark's JSON there
 * --reuse-json DIR --rerun http,...   take the other benchmarks' figures from the JSON a full run
 *               kept in DIR (--keep-json), run only these again, and write the whole report
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(import.meta.dirname, '..');
const ALL = ['import', 'search', 'http', 'digest', 'fuzz'] as const;
type Bench = (typeof ALL)[number];

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
    'http-db': { type: 'string' },
    'search-reuse': { type: 'string' },
    'search-database-url': { type: 'string' },
    'http-database-url': { type: 'string' },
    'search-pg-reuse': { type: 'string' },
    'keep-json': { type: 'string' },
    'reuse-json': { type: 'string' },
    rerun: { type: 'string' },
  },
});
const only = values.only ? values.only.split(',').map((s) => s.trim()).filter(Boolean) : [...ALL];
for (const b of only) if (!(ALL as readonly string[]).includes(b)) throw new Error(`--only: unknown benchmark "${b}" (expected some of ${ALL.join(', ')})`);
const selected = ALL.filter((b) => only.includes(b));
const quick = values.quick;
const rerun = new Set(values.rerun ? values.rerun.split(',').map((x) => x.trim()) : []);
/** Benchmarks whose figures come from a kept earlier run (`--reuse-json`), not run again now. */
const reused = new Set<Bench>(values['reuse-json'] ? selected.filter((b) => !rerun.has(b)) : []);
const partial = quick || selected.length < ALL.length;
const outFile = values.out ?? (partial ? null : path.join(ROOT, 'docs/BENCHMARKS.md'));

/** How each benchmark is run; quick mode trades precision for minutes. */
function invocation(b: Bench, json: string): { args: string[]; env: Record<string, string> } {
  switch (b) {
    case 'import':
      return { args: ['bench/import.ts', '--json', json], env: {} }; // no smaller corpus: the same in quick mode
    case 'search': {
      const args = ['bench/search.ts', '--json', json];
      if (quick) args.push('--skip-1m', '--queries', '100');
      if (values['search-reuse']) args.push('--reuse', values['search-reuse']);
      return { args, env: {} };
    }
    case 'http': {
      const args = ['bench/http.ts', '--json', json, '--duration', quick ? '5' : '30'];
      if (values['http-db']) args.push('--db', values['http-db']);
      return { args, env: {} };
    }
    case 'digest':
      return { args: ['bench/digest.ts', '--json', json], env: quick ? { BENCH_SUBSCRIBERS: '10000', BENCH_SEND: '1000' } : { BENCH_SUBSCRIBERS: '100000', BENCH_SEND: '20000' } };
    case 'fuzz':
      return { args: ['bench/fuzz.ts', '--json', json], env: { FUZZ_RUNS: quick ? '1000' : '10000' } };
  }
}

interface Outcome {
  code: number | null;
  secs: number;
  tail: string[];
  figures: any;
}

/** Runs one benchmark with its output shown live; keeps the last lines for the report if it fails. */
function runBench(b: Bench, dir: string, extra: string[] = []): Promise<Outcome> {
  const json = path.join(dir, `${b}${extra.length ? '-pg' : ''}.json`);
  const inv = invocation(b, json);
  // --reuse and --db name SQLite places: not passed on to the PostgreSQL run.
  const sqliteOnly = (a: string) => a === '--reuse' || a === '--db';
  const args = extra.length ? [...inv.args.filter((a, i, all) => !sqliteOnly(a) && !sqliteOnly(all[i - 1] ?? '')), ...extra] : inv.args;
  const env = inv.env;
  console.log(`\n=== bench:${b}: tsx ${args.join(' ')} ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let lines: string[] = [];
    const keep = (d: Buffer) => {
      lines = [...lines, ...d.toString('utf8').split('\n')].slice(-30);
    };
    child.stdout.on('data', (d: Buffer) => (process.stdout.write(d), keep(d)));
    child.stderr.on('data', (d: Buffer) => (process.stderr.write(d), keep(d)));
    child.on('close', (code) => {
      let figures: unknown = null;
      try {
        figures = JSON.parse(fs.readFileSync(json, 'utf8'));
      } catch {
        // no figures: the report says the run failed
      }
      resolve({ code, secs: (performance.now() - t0) / 1000, tail: lines.filter((l) => l.trim()), figures });
    });
  });
}

// ---- formatting

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);
const ratio = (x: number) => `${x >= 0.1 ? f2(x) : x.toPrecision(2)}×`;
const verdict = (ok: boolean) => (ok ? '**met**' : '**missed**');
const table = (head: string[], align: string[], rows: (string | number)[][]) =>
  [`| ${head.join(' | ')} |`, `|${align.map((a) => (a === 'r' ? '---:' : '---')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

interface Target {
  bench: Bench;
  what: string;
  measured: string;
  ok: boolean;
}

function failed(b: Bench, o: Outcome): string {
  return `**The run failed** (exit ${o.code} after ${f1(o.secs)} s); its last lines:\n\n\`\`\`\n${o.tail.join('\n')}\n\`\`\``;
}

function importSection(o: Outcome, targets: Target[]): string {
  const intro =
    'Imports all of `../shared/data` through the product\'s pipeline (parse, normalise, merge, upsert, feature; the full-text index kept up to date by triggers, as in production) into fresh SQLite files, then the daily listings alone. Baseline, same process: the same daily+cs files parsed with `JSON.parse` and written with one prepared `INSERT OR REPLACE` per record, 2,000 per transaction (no normalisation, no merge, no search index): what a hand-rolled loader reaches.';
  if (!o.figures) return `${intro}\n\n${failed('import', o)}`;
  const { baseline: base, all, daily } = o.figures;
  targets.push({ bench: 'import', what: '≥ 20,000 records/s, daily listings, with the full-text index', measured: `${int(daily.perSec)} records/s`, ok: daily.perSec >= 20_000 });
  const row = (label: string, r: { records: number; secs: number; perSec: number }) => [label, int(r.records), `${f1(r.secs)} s`, int(r.perSec), ratio(r.perSec / base.perSec)];
  return [
    intro,
    `Corpus: ${int(all.records)} records in all (${int(base.records)} in the baseline's files), of which ${int(daily.records)} daily listings.`,
    table(['run', 'records', 'time', 'records/s', 'vs baseline'], ['l', 'r', 'r', 'r', 'r'], [
      row('baseline: `JSON.parse` + `INSERT OR REPLACE`', base),
      row('`dailypapers import`, whole corpus', all),
      row('`dailypapers import`, daily listings', daily),
    ]),
    `Database: ${f1(all.sizeMiB)} MiB (whole corpus). Peak RSS ${int(o.figures.peakRssMiB)} MiB. Load average ${o.figures.loadBefore} before, ${o.figures.loadAfter} after.${o.figures.withoutSearch ? ' Search-index triggers dropped (`--without-search-index`).' : ''}`,
  ].join('\n\n');
}

/** bench:search on PostgreSQL (`--search-database-url`), run after the SQLite one and shown beside it. */
let searchPg: Outcome | null = null;

function searchSection(o: Outcome, targets: Target[]): string {
  const sqlite = searchBody(o, targets, 'SQLite');
  if (!searchPg) return sqlite;
  return `### SQLite\n\n${sqlite}\n\n### PostgreSQL\n\n${searchBody(searchPg, targets, 'PostgreSQL')}`;
}

function searchBody(o: Outcome, targets: Target[], backend: 'SQLite' | 'PostgreSQL'): string {
  const pgIntro = () =>
    `The same queries through \`searchPapers\` on PostgreSQL (tsvector under GIN, BM25 approximation, the shared reranker; vectors: ${o.figures?.vectorBackend === 'pgvector' ? 'pgvector HNSW in the database' : 'an in-memory usearch index per process, loaded from the database'}), in a fresh database on the same machine. Baseline, same run and queries: \`websearch_to_tsquery\` + \`ts_rank_cd\` over the GIN index (the same words OR-ed, default weights, top 20). No 1M run: the synthesis is SQLite-only.`;
  const intro =
    backend === 'PostgreSQL'
      ? pgIntro()
      : 'Realistic queries (40% full titles, 30% shortened titles, 30% topic phrases) through `searchPapers` in each mode, one at a time on one core, top 20 with snippets and facets. Baseline, same run and queries: the raw FTS5 `MATCH` (the same words OR-ed, default bm25, top 20). Then the same at 1M papers, the extra ones synthesised by recombining real titles and abstracts.';
  const tag = backend === 'PostgreSQL' ? ' on PostgreSQL' : '';
  const rawName = backend === 'PostgreSQL' ? 'raw ts_rank_cd' : 'raw FTS5';
  if (!o.figures) return `${intro}\n\n${failed('search', o)}`;
  const { sections, build } = o.figures as { sections: { label: string; rows: { mode: string; p50: number; p95: number; p99: number; qps: number }[] }[]; build: Record<string, number> };
  const parts = [intro];
  if (build.papers) {
    parts.push(
      `Corpus: ${int(build.papers)} papers imported in ${int(build.importSecs)} s. Vector index (built-in provider: train, embed, HNSW): ${int(build.vectorPapers)} papers in ${int(build.vectorSecs)} s = ${int(build.vectorPapers / build.vectorSecs)} papers/s. Keyword index rebuild: ${int(build.keywordSecs)} s.`,
    );
    targets.push({ bench: 'search', what: `vector index build ≥ 5,000 papers/s${tag}`, measured: `${int(build.vectorPapers / build.vectorSecs)} papers/s`, ok: build.vectorPapers / build.vectorSecs >= 5000 });
  }
  for (const [i, s] of sections.entries()) {
    const raw = s.rows.find((r) => r.mode.startsWith('raw'));
    parts.push(`**${s.label}**`);
    parts.push(
      table(['mode', 'p50 ms', 'p95 ms', 'p99 ms', 'QPS (1 core)', `p50 vs ${rawName}`], ['l', 'r', 'r', 'r', 'r', 'r'], s.rows.map((r) => [r.mode, r.p50, r.p95, r.p99, r.qps, raw && raw.p50 > 0 ? ratio(r.p50 / raw.p50) : '–'])),
    );
    const hybrid = s.rows.find((r) => r.mode === 'hybrid');
    if (i === 0 && hybrid) targets.push({ bench: 'search', what: `hybrid p50 ≤ 15 ms (${s.label}${tag})`, measured: `${hybrid.p50} ms`, ok: hybrid.p50 <= 15 });
  }
  if (sections.length === 1 && backend === 'SQLite') parts.push('The 1M-paper run was skipped (`--skip-1m`, as in `--quick`).');
  return parts.join('\n\n');
}

/** bench:http on PostgreSQL (`--http-database-url`, a database holding the corpus or to import it into). */
let httpPg: Outcome | null = null;

function httpSection(o: Outcome, targets: Target[]): string {
  const sqlite = httpBody(o, targets, 'SQLite');
  if (!httpPg) return sqlite;
  return `### SQLite\n\n${sqlite}\n\n### PostgreSQL\n\n${httpBody(httpPg, targets, 'PostgreSQL')}`;
}

function httpBody(o: Outcome, targets: Target[], backend: 'SQLite' | 'PostgreSQL'): string {
  const tag = backend === 'PostgreSQL' ? ' on PostgreSQL' : '';
  const pgNote =
    backend === 'PostgreSQL'
      ? ' On PostgreSQL the server is the same `dailypapers serve` with `DATABASE_URL=postgres://…` (a local PostgreSQL 15 cluster on the same two cores, `fsync` off as in the test clusters); its page cache learns of commits by `LISTEN/NOTIFY`.'
      : '';
  const intro =
    '`dailypapers serve` as a child process over the corpus, autocannon (100 connections, `Accept-Encoding: gzip, deflate, br` as browsers send) against each route in turn after one warm-up request. Baselines, same run: `static`, a 3-byte response from a bare `node:http` server in its own process (the floor), and `static-feed`, the feed page\'s own bytes served the same way (a static file of the same size); `/healthz` shows the framework plus one query. Server CPU per response is read from /proc, so it holds whatever else the machine does; req/s and latency also measure the load generator, which shares the cores.' + pgNote;
  if (!o.figures) return `${intro}\n\n${failed('http', o)}`;
  const { rows, papers, connections, duration, cache, gzip } = o.figures as { rows: { name: string; path: string; rps: number; p50: number; p99: number; errors: number; bytesPerReq: number; cpuUsPerReq: number | null }[]; papers: number; connections: number; duration: number; cache: boolean; gzip: boolean };
  const st = rows.find((r) => r.name === 'static')!;
  const sf = rows.find((r) => r.name === 'static-feed');
  const feed = rows.find((r) => r.name === 'feed');
  const rated = rows.find((r) => r.name.startsWith('feed @'));
  if (feed) {
    targets.push({ bench: 'http', what: `feed page ≥ 3,000 req/s${tag}`, measured: `${int(feed.rps)} req/s`, ok: feed.rps >= 3000 });
    if (rated) targets.push({ bench: 'http', what: `feed page p99 ≤ 20 ms at 3,000 req/s offered${tag}`, measured: `${rated.p99} ms (${int(rated.rps)} req/s)`, ok: rated.p99 <= 20 });
    targets.push({ bench: 'http', what: `feed page p99 ≤ 20 ms at saturation (100 connections flat out)${tag}`, measured: `${feed.p99} ms (static-feed baseline: ${sf ? `${sf.p99} ms` : '–'})`, ok: feed.p99 <= 20 });
    const errors = feed.errors + (rated?.errors ?? 0);
    targets.push({ bench: 'http', what: `feed page 0 errors${tag}`, measured: String(errors), ok: errors === 0 });
  }
  return [
    intro,
    `Corpus: ${int(papers)} papers; ${connections} connections, ${duration} s per route; page cache ${cache ? 'on' : 'off (PAGE_CACHE=0)'}, ${gzip ? 'gzip accepted' : 'identity'}. Every route is driven flat out (closed loop: each connection sends again as soon as it is answered), so its p99 there is mostly queueing behind 100 busy connections; \`feed @3000/s\` sends the feed 3,000 requests a second arriving steadily instead (open loop, up to 100 keep-alive connections, each latency counted from when its request was due), the latency users see at that traffic.`,
    table(
      ['route', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'KB/response', 'server CPU µs/req', 'req/s vs static', 'vs static-feed'],
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
      rows.map((r) => [`${r.name} \`${r.path}\``, int(r.rps), f1(r.p50), f1(r.p99), r.errors, f1(r.bytesPerReq / 1024), r.cpuUsPerReq === null ? '–' : int(r.cpuUsPerReq), ratio(r.rps / st.rps), sf ? ratio(r.rps / sf.rps) : '–']),
    ),
  ].join('\n\n');
}

function digestSection(o: Outcome, targets: Target[]): string {
  const intro =
    'Confirmed subscribers (a quarter with 1–3 topics from a pool of 300 saved searches), 40 papers featured today and 3,000 new to the index; one daily period rendered and queued through the product\'s code, then delivered to an in-process SMTP server (8 connections, unpaced). Baselines, same process: the same subscribers read with one `SELECT`, each given a fixed digest from a template string and `INSERT`ed (the floor of any per-subscriber loop), and one fixed small message sent through the same transport.';
  if (!o.figures) return `${intro}\n\n${failed('digest', o)}`;
  const g = o.figures;
  const r = g.render;
  targets.push({ bench: 'digest', what: `render + queue ≤ 60 s (${int(g.subscribers)} subscribers)`, measured: `${f1(r.secs)} s`, ok: r.secs <= 60 });
  const rows: (string | number)[][] = [
    ['baseline: `SELECT` + template + `INSERT`', int(g.renderBaseline.rows), `${f2(g.renderBaseline.secs)} s`, int(g.renderBaseline.rows / g.renderBaseline.secs), '1.00×'],
    ['render + queue (`preparePeriod`)', int(r.queued), `${f2(r.secs)} s`, int(r.queued / r.secs), ratio(r.queued / r.secs / (g.renderBaseline.rows / g.renderBaseline.secs))],
  ];
  if (g.send) {
    rows.push(['baseline: one fixed message, same transport', int(g.sendBaseline.sent), `${f1(g.sendBaseline.secs)} s`, int(g.sendBaseline.perSec), '1.00×']);
    rows.push(['send (`drainOutbox`)', int(g.send.sent), `${f1(g.send.secs)} s`, int(g.send.perSec), ratio(g.send.perSec / g.sendBaseline.perSec)]);
  }
  return [
    intro,
    `Corpus: ${int(g.subscribers)} subscribers (${int(g.withTopics)} with topics), ${g.featured} featured and ${int(g.fresh)} new papers; ${int(r.queued)} digests queued (${int(r.nothingNew)} with nothing new), ${int(r.topics)} distinct topics, ${int(r.parts)} shared sections (${f1(r.partsMB)} MB).`,
    table(['run', 'items', 'time', 'per second', 'vs baseline'], ['l', 'r', 'r', 'r', 'r'], rows),
    `Peak RSS while rendering: ${int(r.peakRssMB)} MB (${int(r.peakRssMB - r.rssBeforeMB)} MB above the ${int(r.rssBeforeMB)} MB before).`,
  ].join('\n\n');
}

function fuzzSection(o: Outcome, targets: Target[]): string {
  const intro =
    'Random requests from fast-check over every route (methods, paths, queries, bodies, headers, cookies), in-process against the app: no response may be a 5xx or a thrown error, and API 4xx must be problem+json. A property check rather than a speed figure, so it has no baseline; the rate is given for scale.';
  if (!o.figures) return `${intro}\n\n${failed('fuzz', o)}`;
  const z = o.figures;
  targets.push({ bench: 'fuzz', what: '0 property violations', measured: String(z.violations), ok: z.violations === 0 });
  const statuses = Object.entries(z.byStatus as Record<string, number>).map(([k, v]) => `${k}: ${int(v)}`).join(', ');
  const lines = [intro, `${int(z.runs)} cases over ${z.routes} routes in ${f1(z.secs)} s (${int(z.casesPerSec)} cases/s), seed ${z.seed}. Statuses: ${statuses}. Violations: ${z.violations}.`];
  if (z.distinct?.length) lines.push(z.distinct.map((d: string) => `- \`${d.replace(/`/g, "'")}\``).join('\n'));
  return lines.join('\n\n');
}

const SECTIONS: Record<Bench, { title: string; render: (o: Outcome, t: Target[]) => string }> = {
  import: { title: 'Import — `npm run bench:import`', render: importSection },
  search: { title: 'Search — `npm run bench:search`', render: searchSection },
  http: { title: 'HTTP — `npm run bench:http`', render: httpSection },
  digest: { title: 'Digest — `npm run bench:digest`', render: digestSection },
  fuzz: { title: 'Fuzz — `npm run bench:fuzz`', render: fuzzSection },
};

function gitCommit(): string {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const load = os.loadavg();
  const machine = { cores: os.cpus().length, cpu: os.cpus()[0]?.model?.trim() ?? 'unknown', ramGiB: os.totalmem() / 2 ** 30, node: process.version };
  const keep = values['reuse-json'] ?? values['keep-json'];
  const dir = keep ? path.resolve(keep) : fs.mkdtempSync(path.join(os.tmpdir(), 'dp-bench-report-'));
  fs.mkdirSync(dir, { recursive: true });
  const outcomes = new Map<Bench, Outcome>();
  const kept = (file: string): Outcome | null => (fs.existsSync(path.join(dir, file)) ? { code: 0, secs: 0, tail: [], figures: JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) } : null);
  for (const b of selected) {
    if (reused.has(b)) {
      const o = kept(`${b}.json`);
      if (!o) throw new Error(`--reuse-json: ${dir} has no ${b}.json (name it in --rerun)`);
      outcomes.set(b, o);
      if (b === 'search') searchPg = kept('search-pg.json');
      if (b === 'http') httpPg = kept('http-pg.json');
      continue;
    }
    outcomes.set(b, await runBench(b, dir));
    if (b === 'search' && values['search-database-url']) {
      const reuse = values['search-pg-reuse'] ? ['--reuse', values['search-pg-reuse']] : [];
      searchPg = await runBench(b, dir, ['--database-url', values['search-database-url'], ...reuse]);
    }
    if (b === 'http' && values['http-database-url']) httpPg = await runBench(b, dir, ['--db', values['http-database-url']]);
  }
  const endLoad = os.loadavg();
  if (!keep) fs.rmSync(dir, { recursive: true, force: true });

  const targets: Target[] = [];
  const ranWhen = (b: Bench) => (reused.has(b) ? `_Figures from the earlier full run kept with \`--keep-json\` (${reusedAt(b)})._` : `_Ran in ${f1(outcomes.get(b)!.secs / 60)} min._`);
  const reusedAt = (b: Bench) => fs.statSync(path.join(dir, `${b}.json`)).mtime.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  const bodies = selected.map((b) => `## ${SECTIONS[b].title}\n\n${SECTIONS[b].render(outcomes.get(b)!, targets)}\n\n${ranWhen(b)}`);
  const fmtLoad = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');
  const doc = [
    '# Benchmarks',
    `Generated by \`npm run bench\` (scripts/bench-report.ts) on ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC at commit ${gitCommit()}; do not edit by hand, rerun it. Every figure comes from a \`bench/*.ts\` script and sits next to a baseline measured in the same run, since absolute figures on a shared machine move with its load.`,
    reused.size ? `> Run again now: ${selected.filter((b) => !reused.has(b)).join(', ')}. The other sections (${[...reused].join(', ')}) are the figures of the earlier full run on this machine, kept as JSON; each says when.` : '',
    partial ? `> **Partial run** (${quick ? '`--quick`: shorter durations and smaller inputs; ' : ''}benchmarks: ${selected.join(', ')}). Not representative; a full \`npm run bench\` on an idle machine replaces it.` : '',
    '## Machine',
    table(['cores', 'CPU', 'RAM', 'Node', 'load average at start (1/5/15 min)', 'at end'], ['r', 'l', 'r', 'l', 'l', 'l'], [[machine.cores, machine.cpu, `${f1(machine.ramGiB)} GiB`, machine.node, fmtLoad(load), fmtLoad(endLoad)]]),
    load[0]! > machine.cores * 0.5 ? `The machine was busy at the start (load ${load[0]!.toFixed(1)} on ${machine.cores} cores): throughput and latency understate an idle machine; the ratios to the same-run baselines hold better.` : '',
    '## Targets',
    targets.length ? table(['benchmark', 'target', 'measured', 'result'], ['l', 'l', 'l', 'l'], targets.map((t) => [t.bench, t.what, t.measured, verdict(t.ok)])) : 'No target was measured in this run.',
    ...bodies,
  ]
    .filter(Boolean)
    .join('\n\n');

  console.log(`\n${'='.repeat(72)}\n${doc}\n`);
  if (outFile) {
    fs.writeFileSync(outFile, doc + '\n');
    console.log(`wrote ${path.relative(process.cwd(), outFile) || outFile}`);
  } else {
    console.log('(partial run: not written; --out FILE writes it)');
  }
  if (searchPg) outcomes.set('search-pg' as Bench, searchPg);
  if (httpPg) outcomes.set('http-pg' as Bench, httpPg);
  const failures = [...outcomes.entries()].filter(([b, o]) => o.code !== 0 && !(b === 'fuzz' && o.figures));
  if (failures.length) {
    console.error(`failed: ${failures.map(([b, o]) => `${b} (exit ${o.code})`).join(', ')}`);
    process.exitCode = 1;
  }
}

await main();
