import process from 'node:process';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.ts';
import { openDatabase, type Db } from '../../storage/db.ts';
import { findUserByUsername, setBanned, setRole } from '../../storage/users-repo.ts';
import { ROLES, parseRole, signup } from '../../services/auth.ts';
import { AppError } from '../../services/errors.ts';
import type { User } from '../../domain/user.ts';
import { EXIT, UsageError, line, type CliContext } from '../context.ts';

const HELP = `Usage: dailypapers user create <username> --email <email> --password-stdin [--role ${ROLES.join('|')}] [--db <path>]
       dailypapers user set-role <username> <${ROLES.join('|')}> [--db <path>]
       dailypapers user ban <username> [--db <path>]
       dailypapers user unban <username> [--db <path>]

  create     create an account; the password is read from stdin (one trailing newline is dropped),
             so it never shows in the shell history or the process list:
               printf '%s\\n' "$PASSWORD" | dailypapers user create alice --email a@example.org --password-stdin
  set-role   make a user an editor (features, unfeatures, reorders papers) or admin (also moderates)
  ban        the user can still sign in and read, but not vote, submit or comment (at once)
  unban      lifts a ban

Exit codes: 0 ok; 1 the username or email is taken, or the user does not exist; 2 usage or invalid input.`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function withDb<T>(dbPath: string | undefined, ctx: CliContext, fn: (db: Db) => Promise<T>): Promise<T> {
  const config = loadConfig({ db: dbPath }, ctx.env);
  const db = await openDatabase(config.databaseUrl);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

async function mustFind(db: Db, username: string): Promise<User> {
  const user = await findUserByUsername(db, username);
  if (!user) throw new Error(`no user "${username}"`);
  return user;
}

/** Invalid input is a usage error (exit 2); a conflict or anything else is a failure (exit 1). */
function asUsage(err: unknown): never {
  if (err instanceof AppError && err.kind === 'bad_request') throw new UsageError(err.message);
  throw err;
}

export async function run(argv: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
      role: { type: 'string' },
      db: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [sub, username, extra] = positionals;
  if (values.help || !sub) {
    line(values.help ? ctx.stdout : ctx.stderr, HELP);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  if (!username) throw new UsageError(`user ${sub} needs a <username>`);

  if (sub === 'create') {
    if (positionals.length > 2) throw new UsageError(`unexpected argument "${extra}"`);
    if (!values.email) throw new UsageError('user create needs --email <email>');
    if (!values['password-stdin']) throw new UsageError('user create needs --password-stdin (pass the password on stdin, never as an argument)');
    let role;
    try {
      role = parseRole(values.role ?? 'user');
    } catch (err) {
      asUsage(err);
    }
    const password = (await readStdin()).replace(/\r?\n$/, '');
    if (!password) throw new UsageError('no password on stdin');
    const user = await withDb(values.db, ctx, (db) => signup(db, { username, email: values.email!, password, role }, new Date()).catch(asUsage));
    line(ctx.stdout, `created user ${user.username} (id ${user.id}, role ${user.role})`);
    return EXIT.ok;
  }

  if (sub === 'set-role') {
    if (!extra) throw new UsageError(`user set-role needs a role: ${ROLES.join(', ')}`);
    let role;
    try {
      role = parseRole(extra);
    } catch (err) {
      asUsage(err);
    }
    return withDb(values.db, ctx, async (db) => {
      const user = await mustFind(db, username);
      await setRole(db, user.id, role);
      line(ctx.stdout, `${user.username} is now ${role} (was ${user.role})`);
      return EXIT.ok;
    });
  }

  if (sub === 'ban' || sub === 'unban') {
    return withDb(values.db, ctx, async (db) => {
      const user = await mustFind(db, username);
      await setBanned(db, user.id, sub === 'ban' ? new Date().toISOString() : null);
      line(ctx.stdout, sub === 'ban' ? `banned ${user.username}` : `unbanned ${user.username}`);
      return EXIT.ok;
    });
  }
  throw new UsageError(`unknown user subcommand "${sub}" (expected create, set-role, ban or unban)`);
}
