import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.ts';
import { openDatabase } from '../../storage/db.ts';
import { migrateToLatest } from '../../storage/migrations.ts';
import { countPapers } from '../../storage/papers-repo.ts';
import { countDays, countEntries } from '../../storage/feed-repo.ts';
import { EXIT, UsageError, line, type CliContext } from '../context.ts';

const HELP = `Usage: dailypapers db <migrate|stats> [--db <path>]
       dailypapers db copy --from <db> --to <db> [--truncate] [--dry-run]

  migrate   apply pending migrations (they also run at every start)
  stats     print paper, featured-entry and day counts
  copy      copy an instance to another database (e.g. SQLite to PostgreSQL) and verify
            the row counts; \`dailypapers db copy --help\` for its options`;

export async function run(argv: string[], ctx: CliContext): Promise<number> {
  // copy has options of its own (--from, --to ...), which the parser below would reject.
  if (argv[0] === 'copy') return (await import('./db-copy.ts')).run(argv.slice(1), ctx);
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { db: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  const [sub] = positionals;
  if (values.help || !sub) {
    line(values.help ? ctx.stdout : ctx.stderr, HELP);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  const config = loadConfig({ db: values.db }, ctx.env);
  if (sub === 'migrate') {
    const db = await openDatabase(config.databaseUrl, { migrate: false });
    try {
      const { applied } = await migrateToLatest(db.kysely);
      line(ctx.stdout, applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'database is up to date');
      return EXIT.ok;
    } finally {
      await db.close();
    }
  }
  if (sub === 'stats') {
    const db = await openDatabase(config.databaseUrl);
    try {
      line(ctx.stdout, JSON.stringify({ papers: await countPapers(db), featured: await countEntries(db), days: await countDays(db) }));
      return EXIT.ok;
    } finally {
      await db.close();
    }
  }
  throw new UsageError(`unknown db subcommand "${sub}" (expected migrate, stats or copy)`);
}
