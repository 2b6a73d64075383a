import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.ts';
import { openDatabase } from '../../storage/db.ts';
import { findUserByUsername, listApiTokens, revokeApiToken } from '../../storage/users-repo.ts';
import { createApiToken } from '../../services/auth.ts';
import { AppError } from '../../services/errors.ts';
import { EXIT, UsageError, line, type CliContext } from '../context.ts';

const HELP = `Usage: dailypapers token create <username> [--name <label>] [--db <path>]
       dailypapers token list <username> [--db <path>]
       dailypapers token revoke <username> <id> [--db <path>]

  create   make a personal API token for the write API (Authorization: Bearer <token>) and print
           it once, alone on the first line of stdout: TOKEN=$(dailypapers token create alice)
  list     the user's tokens: id, name, created, last used, revoked
  revoke   revoke one of the user's tokens by id

Exit codes: 0 ok; 1 no such user or token; 2 usage or invalid input.`;

export async function run(argv: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: 'string' }, db: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [sub, username, id] = positionals;
  if (values.help || !sub) {
    line(values.help ? ctx.stdout : ctx.stderr, HELP);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  if (!['create', 'list', 'revoke'].includes(sub)) throw new UsageError(`unknown token subcommand "${sub}" (expected create, list or revoke)`);
  if (!username) throw new UsageError(`token ${sub} needs a <username>`);
  if (sub === 'revoke' && !/^\d+$/.test(id ?? '')) throw new UsageError('token revoke needs the token <id> (see token list)');
  const name = values.name ?? 'cli';
  if (sub === 'create' && (name.trim().length < 1 || name.trim().length > 64)) throw new UsageError('--name must be 1–64 characters');

  const config = loadConfig({ db: values.db }, ctx.env);
  const db = await openDatabase(config.databaseUrl);
  try {
    const user = await findUserByUsername(db, username);
    if (!user) throw new Error(`no user "${username}"`);
    if (sub === 'create') {
      const { id: tokenId, token } = await createApiToken(db, user.id, name, new Date()).catch((err) => {
        throw err instanceof AppError && err.kind === 'bad_request' ? new UsageError(err.message) : err;
      });
      // The token alone on stdout, so that scripts capture it; the note goes to stderr.
      line(ctx.stdout, token);
      line(ctx.stderr, `created token "${name.trim()}" (id ${tokenId}) for ${user.username}; it is not stored and will not be shown again`);
      return EXIT.ok;
    }
    if (sub === 'list') {
      for (const t of await listApiTokens(db, user.id)) {
        line(ctx.stdout, [t.id, t.name, `created ${t.created_at}`, `last used ${t.last_used_at ?? 'never'}`, t.revoked_at ? `revoked ${t.revoked_at}` : 'active'].join('\t'));
      }
      return EXIT.ok;
    }
    if (!(await revokeApiToken(db, user.id, Number(id), new Date().toISOString()))) throw new Error(`${user.username} has no active token ${id}`);
    line(ctx.stdout, `revoked token ${id} of ${user.username}`);
    return EXIT.ok;
  } finally {
    await db.close();
  }
}
