import { parseArgs } from 'node:util';
import pino from 'pino';
import { Cron } from 'croner';
import { loadConfig } from '../../config.ts';
import { openDatabase } from '../../storage/db.ts';
import { withSharedSecret } from '../../storage/shared-secret.ts';
import { loadMailSettings, type MailSettings } from '../../mail/settings.ts';
import { createMailTransport } from '../../mail/transport.ts';
import { createJobQueue, JOB_NAMES, jobHandlers, jobSchedules, jobsMode, type JobName } from '../../jobs/index.ts';
import { EXIT, UsageError, line, type CliContext } from '../context.ts';
// Search sync opens a database the search engine has migrated: its migrations must be known.
import '../../storage/search-migrations.ts';

const HELP = `Usage: dailypapers worker [--db URL] [--concurrency N] [--once] [--dry-run]
       dailypapers worker --enqueue <task> [--payload JSON] [--job-key KEY] [--run-at ISO] [--once]

Runs background jobs: ${JOB_NAMES.join(', ')}; and their schedules: the digest at DIGEST_CRON in
DIGEST_TZ, trending re-decay every 15 minutes, the outbox and the search index every minute.

On PostgreSQL any number of workers share one queue (graphile-worker, schema graphile_worker):
each job runs once, each schedule tick once. Start \`serve\` with JOBS=worker (the default on
PostgreSQL) so that it leaves these jobs to the workers. On SQLite the queue lives in this one
process: run a single worker and start \`serve\` with JOBS=worker, or let \`serve\` run the jobs.

  --concurrency N  jobs at a time (default WORKER_CONCURRENCY, else 2)
  --once           run the jobs due now, then exit (no schedules)
  --dry-run        print the tasks and the next schedule ticks, run nothing
  --enqueue TASK   add a job (e.g. digest.send, import.paths with --payload '{"paths":["a.jsonl"]}')
                   and exit; on SQLite only with --once, which runs it here and now
  --job-key KEY    while a job with this key waits, adding another replaces it

SIGTERM/SIGINT: stop taking jobs, let the running ones finish, exit 0.
Env: DATABASE_URL, JOBS, LOG_LEVEL, plus the mail settings of \`digest --help\`.`;

function schedulesText(settings: MailSettings): string[] {
  return jobSchedules(settings, { outbox: true, search: true }).map((s) => {
    const next = new Cron(s.cron, { timezone: s.timezone, paused: true }).nextRun();
    return `  ${s.identifier.padEnd(9)} ${s.task.padEnd(17)} ${`${s.cron}${s.timezone ? ` ${s.timezone}` : ''}`.padEnd(22)} next ${next?.toISOString() ?? '-'}`;
  });
}

export async function run(argv: string[], ctx: CliContext): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: 'string' },
      concurrency: { type: 'string' },
      once: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      enqueue: { type: 'string' },
      payload: { type: 'string' },
      'job-key': { type: 'string' },
      'run-at': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    line(ctx.stdout, HELP);
    return EXIT.ok;
  }
  const concurrency = Number(values.concurrency ?? ctx.env.WORKER_CONCURRENCY ?? 2);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`--concurrency must be a positive integer, got "${values.concurrency ?? ctx.env.WORKER_CONCURRENCY}"`);
  const task = values.enqueue as JobName | undefined;
  if (task !== undefined && !JOB_NAMES.includes(task)) throw new UsageError(`--enqueue: unknown task "${task}" (one of ${JOB_NAMES.join(', ')})`);
  let payload: Record<string, unknown> = {};
  if (values.payload !== undefined) {
    try {
      payload = JSON.parse(values.payload);
    } catch (err) {
      throw new UsageError(`--payload must be JSON: ${(err as Error).message}`);
    }
    if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw new UsageError('--payload must be a JSON object');
  }
  const runAt = values['run-at'] ? new Date(values['run-at']) : undefined;
  if (runAt && Number.isNaN(runAt.getTime())) throw new UsageError('--run-at must be an ISO date-time');
  let settings: MailSettings;
  try {
    settings = loadMailSettings(ctx.env);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }

  const configured = loadConfig({ db: values.db }, ctx.env);
  // pino to stderr: stdout carries the few machine-readable lines (`worker ready`, `queued ...`).
  const log = pino({ level: ctx.env.LOG_LEVEL ?? 'info' }, pino.destination(2));
  // Signals may come while the database is still opening: remember them.
  let stopRequested: string | null = null;
  let onStop: ((signal: string) => void) | null = null;
  const signalled = (signal: string) => {
    stopRequested ??= signal;
    onStop?.(signal);
  };
  const onTerm = () => signalled('SIGTERM');
  const onInt = () => signalled('SIGINT');
  process.once('SIGTERM', onTerm);
  process.once('SIGINT', onInt);

  const db = await openDatabase(configured.databaseUrl);
  const queue = createJobQueue(db, log);
  try {
    // Links in digests (unsubscribe) must verify on every `serve`: one secret per database on PostgreSQL.
    const config = await withSharedSecret(configured, db);
    if (task) {
      if (queue.backend === 'inline' && !values.once) throw new UsageError('on SQLite the queue lives in one process: add --once to run the job here and now');
      await queue.enqueue(task, payload as never, { jobKey: values['job-key'], runAt });
      line(ctx.stdout, `queued ${task}`);
      if (!values.once) return EXIT.ok;
    }
    if (values['dry-run']) {
      line(ctx.stdout, `queue: ${queue.backend === 'graphile' ? 'PostgreSQL (graphile-worker)' : 'in-process (SQLite)'}; concurrency ${concurrency}; tasks: ${JOB_NAMES.join(', ')}`);
      line(ctx.stdout, `schedules${values.once ? ' (not run with --once)' : ''}:`);
      for (const l of schedulesText(settings)) line(ctx.stdout, l);
      return EXIT.ok;
    }
    if (db.dialect === 'sqlite' && !values.once && jobsMode(ctx.env, db) !== 'worker') {
      log.warn('SQLite: a `serve` without JOBS=worker runs these schedules too; run one or the other');
    }
    const transport = createMailTransport(config, { concurrency: settings.concurrency });
    try {
      const handlers = jobHandlers({ db, config, settings, transport, log, queue });
      if (values.once) {
        await queue.runOnce(handlers);
        line(ctx.stdout, 'done: ran every job that was due');
        return EXIT.ok;
      }
      if (stopRequested) return EXIT.ok;
      await queue.start(handlers, { concurrency, schedules: jobSchedules(settings, { outbox: true, search: true }) });
      // Catch up on what happened while no worker ran; keyed, so N workers starting add one each.
      await queue.enqueue('trending.redecay', {}, { jobKey: 'trending.redecay', maxAttempts: 1 });
      await queue.enqueue('outbox.drain', {}, { jobKey: 'outbox.drain', maxAttempts: 1 });
      log.info({ queue: queue.backend, concurrency, db: db.location, transport: transport.description, digest: settings.digestCron ? `${settings.digestCron} ${settings.digestTz}` : 'off' }, 'worker started');
      line(ctx.stdout, `worker ready (${queue.backend}, concurrency ${concurrency})`);
      // Nothing else holds the event loop open on SQLite (the queue's timers are unref'd).
      const keepAlive = setInterval(() => {}, 1 << 30);
      const signal = await new Promise<string>((resolve) => {
        if (stopRequested) resolve(stopRequested);
        onStop = resolve;
      });
      log.info({ signal }, 'stopping: finishing running jobs');
      await queue.stop();
      clearInterval(keepAlive);
      log.info('worker stopped');
      return EXIT.ok;
    } finally {
      transport.close();
    }
  } finally {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    await queue.stop().catch(() => {});
    await db.close();
  }
}
