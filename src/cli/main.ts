import process from 'node:process';
import { EXIT, UsageError, line, type CliContext } from './context.ts';
import { storageHint } from '../storage/sqlite-errors.ts';

type Command = (argv: string[], ctx: CliContext) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  serve: { summary: 'start the web server', load: async () => (await import('./commands/serve.ts')).run },
  import: { summary: 'import papers from files (JSONL, JSON, XML; plain or .gz)', load: async () => (await import('./commands/import.ts')).run },
  fetch: { summary: 'harvest papers from arXiv (OAI-PMH or the Atom API)', load: async () => (await import('./commands/fetch.ts')).run },
  index: { summary: 'search index: index rebuild | sync | status', load: async () => (await import('./commands/index.ts')).run },
  db: { summary: 'database maintenance: db migrate | db stats | db copy --from A --to B', load: async () => (await import('./commands/db.ts')).run },
  user: { summary: 'accounts: user create | set-role | ban | unban', load: async () => (await import('./commands/user.ts')).run },
  worker: { summary: 'background jobs (digests, imports, index updates): worker [--once] [--concurrency N]', load: async () => (await import('./commands/worker.ts')).run },
  digest: { summary: 'email digests: digest send --frequency daily|weekly | status | webhook', load: async () => (await import('./commands/digest.ts')).run },
  backup: { summary: 'copy the database to a file, safely while serving: backup <file>', load: async () => (await import('./commands/backup.ts')).run },
  restore: { summary: 'replace the database with a backup: restore <file> [--force]', load: async () => (await import('./commands/backup.ts')).restore },
  token: { summary: 'personal API tokens: token create | list | revoke', load: async () => (await import('./commands/token.ts')).run },
};

function usage(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`);
  return ['Usage: dailypapers <command> [options]', '', 'Commands:', ...rows, '', 'Run `dailypapers <command> --help` for a command\'s options.'].join('\n');
}

export async function main(argv: string[], ctx: CliContext): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    line(name ? ctx.stdout : ctx.stderr, usage());
    return name ? EXIT.ok : EXIT.usage;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    line(ctx.stderr, `dailypapers: unknown command "${name}"\n\n${usage()}`);
    return EXIT.usage;
  }
  try {
    return await (await cmd.load())(rest, ctx);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      line(ctx.stderr, `dailypapers ${name}: ${(err as Error).message}`);
      return EXIT.usage;
    }
    const hint = (err as { hinted?: boolean }).hinted ? null : storageHint(err);
    line(ctx.stderr, `dailypapers ${name}: ${(err as Error).message}${hint ? `: ${hint}` : ''}`);
    if (ctx.env.DEBUG) line(ctx.stderr, String((err as Error).stack));
    return EXIT.failure;
  }
}

export function runFromProcess(): void {
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }).then((code) => {
    process.exitCode = code;
  });
}
