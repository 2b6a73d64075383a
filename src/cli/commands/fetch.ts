import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.ts';
import { openDatabase } from '../../storage/db.ts';
import { parseArxivRef } from '../../domain/arxiv-id.ts';
import { addDays, isValidDay, toDay } from '../../domain/dates.ts';
import type { ParseItem } from '../../domain/paper.ts';
import { emptyStats, importItems, type ImportOptions, type ImportStats } from '../../ingest/pipeline.ts';
import { DEFAULT_OAI_URL, harvestOaiPmh } from '../../ingest/fetch/oai-pmh.ts';
import { DEFAULT_API_URL, fetchArxivByIds } from '../../ingest/fetch/arxiv-api.ts';
import { DEFAULT_USER_AGENT, FetchError, PoliteClient, type RetryInfo } from '../../ingest/fetch/http.ts';
import { EXIT, UsageError, line, type CliContext } from '../context.ts';
import { importIndex } from '../search-sync.ts';

const HELP = `Usage: dailypapers fetch arxiv [--category <cat>] [--from YYYY-MM-DD] [--until YYYY-MM-DD] [options]
       dailypapers fetch arxiv --id <id> [--id <id>...] [options]

Harvests papers from arXiv into the database.
  By date: OAI-PMH ListRecords for records added or changed in [--from, --until] (datestamps).
  By id:   the arXiv API; ids may be bare (2503.11677), versioned (2503.11677v2), arXiv URLs,
           or comma-separated. Ids arXiv does not know are reported as rejected.

Options:
  --category <cat>  keep only papers in this category (cs.LG) or archive (cs); harvests its OAI set
  --set <spec>      OAI set to harvest instead of the category's (e.g. physics:hep-th)
  --from <day>      first datestamp (default: 7 days before --until, i.e. 7 days ago)
  --until <day>     last datestamp (default: up to now)
  --id <id>         fetch this paper (repeatable)
  --base-url <url>  OAI-PMH endpoint (default ${DEFAULT_OAI_URL}), or with --id the API endpoint
                    (default ${DEFAULT_API_URL})
  --user-agent <s>  User-Agent sent to arXiv; include a contact (default: $ARXIV_USER_AGENT or
                    "${DEFAULT_USER_AGENT}")
  --feature         feature every fetched paper on the feed (on its v1 day)
  --db <path>       database (default: $DATABASE_URL or ./data/dailypapers.sqlite)
  --dry-run         fetch and validate only; write nothing

Politeness: one request every 3 s, Retry-After honoured, backoff on errors (5 s, 10 s, 20 s ...).

Environment:
  ARXIV_OAI_URL, ARXIV_API_URL   endpoints (for mirrors and tests; --base-url wins)
  ARXIV_USER_AGENT               User-Agent (--user-agent wins)
  ARXIV_MIN_INTERVAL_MS          spacing between requests; for tests and private mirrors only,
                                 never lower it against arxiv.org
  ARXIV_MAX_RETRY_AFTER_MS       cap on one Retry-After wait (default 600000); for tests only

Exit codes: 0 ok; 3 some records rejected or ids not found (the rest was written);
4 arXiv could not be reached or returned an error (after retries); 2 usage error.`;

/** A non-negative integer from the environment, or undefined; a typo is a usage error, not a silent default. */
function envInt(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} must be a non-negative integer (milliseconds); got "${v}"`);
  return n;
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

async function* asAsync(items: ParseItem[]): AsyncIterable<ParseItem> {
  yield* items;
}

function describeRetry(r: RetryInfo): string {
  const what = r.status !== null ? `HTTP ${r.status}` : (r.error ?? 'error');
  const wait = r.waitMs < 1000 ? `${r.waitMs} ms` : `${(r.waitMs / 1000).toFixed(1)} s`;
  return r.reason === 'retry-after'
    ? `arXiv asked us to wait (${what}, Retry-After): retrying in ${wait}`
    : `request failed (${what}): retrying in ${wait} (attempt ${r.attempt + 1})`;
}

export function formatFetchSummary(s: ImportStats, dryRun: boolean): string {
  return `${dryRun ? '(dry run) ' : ''}fetched ${fmt(s.read)} records: inserted ${s.inserted}, updated ${s.updated}, unchanged ${s.unchanged}, rejected ${s.rejected}`;
}

const OPTIONS = {
  category: { type: 'string' },
  set: { type: 'string' },
  from: { type: 'string' },
  until: { type: 'string' },
  id: { type: 'string', multiple: true },
  'base-url': { type: 'string' },
  'user-agent': { type: 'string' },
  db: { type: 'string' },
  feature: { type: 'boolean', default: false },
  'dry-run': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h' },
} as const;

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
  } catch (err) {
    // Unknown or malformed flags are the user's to fix: exit 2 with node's message (it names the flag).
    throw new UsageError((err as Error).message);
  }
}

export async function run(argv: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse(argv);
  if (values.help) {
    line(ctx.stdout, HELP);
    return EXIT.ok;
  }
  const [source, ...extra] = positionals;
  if (!source) throw new UsageError('say what to fetch: `dailypapers fetch arxiv ...` (see --help)');
  if (source !== 'arxiv') throw new UsageError(`unknown source "${source}" (only "arxiv" is supported)`);
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}" (ids go after --id)`);

  // Validate everything before touching the database or the network.
  const ids = (values.id ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  for (const id of ids) {
    if (!parseArxivRef(id)) throw new UsageError(`--id "${id}" is not an arXiv id (e.g. 2503.11677, hep-th/9504118 or https://arxiv.org/abs/2503.11677)`);
  }
  if (values.id && ids.length === 0) throw new UsageError('--id needs an arXiv id');
  const byId = ids.length > 0;
  if (byId) {
    for (const flag of ['category', 'set', 'from', 'until'] as const) {
      if (values[flag] !== undefined) throw new UsageError(`--${flag} cannot be combined with --id`);
    }
  }
  for (const flag of ['from', 'until'] as const) {
    const v = values[flag];
    if (v !== undefined && !isValidDay(v)) throw new UsageError(`--${flag} must be a day as YYYY-MM-DD; got "${v}"`);
  }
  const until = values.until;
  // A week back from the end of the range: from today normally, from --until when only that is given
  // (a fixed "today - 7" would make `--until <last month>` alone an empty, invalid range).
  const from = values.from ?? addDays(until ?? toDay(new Date()), -7);
  if (until !== undefined && from > until) throw new UsageError(`--from ${from} is after --until ${until}`);
  if (values.category !== undefined && !/^[a-z-]+(\.[A-Za-z-]+)?$/.test(values.category)) {
    throw new UsageError(`--category must look like cs.LG or cs; got "${values.category}"`);
  }
  const baseUrl = values['base-url'] ?? (byId ? ctx.env.ARXIV_API_URL : ctx.env.ARXIV_OAI_URL) ?? (byId ? DEFAULT_API_URL : DEFAULT_OAI_URL);
  try {
    new URL(baseUrl);
  } catch {
    throw new UsageError(`${values['base-url'] ? '--base-url' : byId ? 'ARXIV_API_URL' : 'ARXIV_OAI_URL'} is not a URL: "${baseUrl}"`);
  }
  const client = new PoliteClient({
    userAgent: values['user-agent'] ?? ctx.env.ARXIV_USER_AGENT ?? DEFAULT_USER_AGENT,
    minIntervalMs: envInt(ctx.env, 'ARXIV_MIN_INTERVAL_MS'),
    maxRetryAfterMs: envInt(ctx.env, 'ARXIV_MAX_RETRY_AFTER_MS'),
    onRetry: (r) => line(ctx.stderr, describeRetry(r)),
  });
  const dryRun = values['dry-run'];

  const config = loadConfig({ db: values.db }, ctx.env);
  const db = await openDatabase(config.databaseUrl);
  const stats = emptyStats();
  let rejectedShown = 0;
  // Semantic search: each page's papers are embedded as they land (keyword search: triggers).
  const index = dryRun ? null : await importIndex(db, (msg) => line(ctx.stderr, msg));
  const opts: ImportOptions = {
    feature: values.feature ? 'always' : 'auto',
    dryRun,
    onChanged: index?.onChanged,
    onReject: (r) => {
      // Keep a flood of bad records readable; the count in the summary stays exact.
      if (rejectedShown++ < 200) line(ctx.stderr, `${r.line > 0 ? `${r.file}:${r.line}` : r.file}: ${r.reason}`);
    },
  };
  try {
    if (byId) {
      const items = await fetchArxivByIds(ids, {
        baseUrl,
        client,
        onBatch: (b) => line(ctx.stderr, `fetched ${fmt(b.returned)} of ${fmt(b.requested)} requested ids`),
      });
      await importItems(db, baseUrl, asAsync(items), opts, stats);
    } else {
      const pages = harvestOaiPmh({ baseUrl, client, category: values.category, set: values.set, from, until });
      let harvested = 0;
      for await (const page of pages) {
        harvested += page.harvested;
        const total = page.completeListSize !== null ? `total ${fmt(harvested)} of ~${fmt(page.completeListSize)}` : `total ${fmt(harvested)}`;
        const kept = values.category ? `, ${fmt(page.items.length)} in ${values.category}` : '';
        line(ctx.stderr, `page ${page.page}: ${fmt(page.harvested)} records${kept} (${total})`);
        // One import per page: rejections then name the page's URL, and each page is committed
        // before the next polite wait, so an interrupted harvest keeps what it got.
        await importItems(db, page.url, asAsync(page.items), opts, stats);
      }
    }
    if (rejectedShown > 200) line(ctx.stderr, `... and ${rejectedShown - 200} more rejected`);
    line(ctx.stdout, formatFetchSummary(stats, dryRun));
    return stats.rejected > 0 ? EXIT.rejected : EXIT.ok;
  } catch (err) {
    if (!(err instanceof FetchError)) throw err;
    // Pages already written stay written; say so, then why we stopped.
    if (stats.read > 0) line(ctx.stdout, formatFetchSummary(stats, dryRun));
    line(ctx.stderr, `dailypapers fetch: ${err.message}`);
    return EXIT.remote;
  } finally {
    // Also after a failed harvest: the pages already written were embedded and must be saved.
    await index?.finish();
    await db.close();
  }
}
