import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { loadConfig } from '../../config.ts';
import { openDatabase } from '../../storage/db.ts';
import { FORMATS, type FormatName } from '../../ingest/parsers/index.ts';
import { importPaths, type FeatureMode, type ImportStats } from '../../ingest/pipeline.ts';
import { EXIT, UsageError, line, type CliContext } from '../context.ts';
import { importIndex } from '../search-sync.ts';

const HELP = `Usage: dailypapers import <file|dir>... [options]

Imports papers from plain or gzipped files; directories are walked recursively.
Formats: ${FORMATS.join(', ')} (auto-detected by default).

Options:
  --format <name>   auto (default) or one of the formats above
  --feature         feature every record on the feed (listing day, else v1 day)
  --no-feature      feature nothing (by default, records with a listing day are featured)
  --db <path>       database (default: $DATABASE_URL or ./data/dailypapers.sqlite)
  --dry-run         parse and validate only; write nothing
  --no-vectors      skip embedding for semantic search (keyword search is always updated);
                    \`dailypapers index sync\`, or \`serve\` in the background, catches up later
  --quiet           no progress bar

Exit codes: 0 all imported; 3 some records or files were rejected (the rest was imported);
2 usage error; 1 unexpected failure.`;

export function formatSummary(s: ImportStats): string {
  const secs = Math.max((Date.now() - s.startedAt) / 1000, 0.001);
  const rate = Math.round(s.read / secs);
  return `imported ${s.read.toLocaleString('en-US')} records from ${s.files} file(s) in ${secs.toFixed(1)} s (${rate.toLocaleString('en-US')}/s): ` +
    `inserted ${s.inserted}, updated ${s.updated}, unchanged ${s.unchanged}, rejected ${s.rejected}; featured ${s.featured}`;
}

export async function run(argv: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'auto' },
      feature: { type: 'boolean' },
      'no-feature': { type: 'boolean' },
      db: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      'no-vectors': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      'batch-size': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    line(ctx.stdout, HELP);
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new UsageError('give at least one file or directory to import');
  const format = values.format as string;
  if (format !== 'auto' && !FORMATS.includes(format as FormatName)) throw new UsageError(`--format must be auto or one of ${FORMATS.join(', ')}; got "${format}"`);
  if (values.feature && values['no-feature']) throw new UsageError('--feature and --no-feature contradict each other');
  const feature: FeatureMode = values.feature ? 'always' : values['no-feature'] ? 'never' : 'auto';
  const batchSize = values['batch-size'] ? Number(values['batch-size']) : undefined;
  if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1)) throw new UsageError('--batch-size must be a positive integer');

  const config = loadConfig({ db: values.db }, ctx.env);
  const db = await openDatabase(config.databaseUrl);
  const bar = ctx.stderr.isTTY && !values.quiet
    ? new cliProgress.SingleBar(
        { stream: ctx.stderr, format: '{bar} {percentage}% | {records} records | {rate}/s | ETA {eta_formatted}', hideCursor: true, etaBuffer: 50 },
        cliProgress.Presets.shades_classic,
      )
    : null;
  let rejectedShown = 0;
  try {
    let started = false;
    const warn = (msg: string) => {
      bar?.stop();
      line(ctx.stderr, msg);
      started = false;
    };
    // Semantic search: batches are embedded as they land (keyword search needs nothing: triggers).
    const index = values['dry-run'] || values['no-vectors'] ? null : await importIndex(db, warn);
    const stats = await importPaths(db, positionals, {
      onChanged: index?.onChanged,
      format: format as FormatName | 'auto',
      feature,
      batchSize,
      dryRun: values['dry-run'],
      onReject: (r) => {
        // Keep a flood of bad lines readable; the count in the summary stays exact.
        if (rejectedShown++ < 200) {
          const where = r.line > 0 ? `${r.file}:${r.line}` : r.file;
          if (bar) bar.stop();
          line(ctx.stderr, `${where}: ${r.reason}`);
          if (bar) started = false;
        }
      },
      onProgress: (s) => {
        if (!bar) return;
        const secs = Math.max((Date.now() - s.startedAt) / 1000, 0.001);
        const payload = { records: s.read.toLocaleString('en-US'), rate: Math.round(s.read / secs).toLocaleString('en-US') };
        if (!started) {
          bar.start(Math.max(s.bytesTotal, 1), s.bytesRead, payload);
          started = true;
        } else bar.update(s.bytesRead, payload);
      },
    });
    const summary = formatSummary(stats);
    const indexStart = Date.now();
    const embedded = (await index?.finish()) ?? 0;
    bar?.stop();
    if (rejectedShown > 200) line(ctx.stderr, `... and ${rejectedShown - 200} more rejected`);
    line(ctx.stdout, (values['dry-run'] ? '(dry run) ' : '') + summary);
    // Only when the import put embedding off until the end (training the built-in model).
    if (embedded > 0) line(ctx.stdout, `search index: embedded ${embedded.toLocaleString('en-US')} papers in ${((Date.now() - indexStart) / 1000).toFixed(1)} s`);
    return stats.rejected > 0 ? EXIT.rejected : EXIT.ok;
  } finally {
    bar?.stop();
    await db.close();
  }
}
