import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import pino from 'pino';
import { loadConfig } from '../../config.ts';
import { openDatabase, type Db } from '../../storage/db.ts';
import { withSharedSecret } from '../../storage/shared-secret.ts';
import { countPapers } from '../../storage/papers-repo.ts';
import { importPaths } from '../../ingest/pipeline.ts';
import { createApp } from '../../web/app.ts';
import { withPageCacheFastPath } from '../../web/fast-path.ts';
import { trendingTick } from '../../services/trending.ts';
import { EXIT, UsageError, line, type CliContext } from '../context.ts';
import { startMailService } from '../../mail/scheduler.ts';
import { startSearchMaintenance } from '../search-sync.ts';
import { trackConnections } from '../graceful-close.ts';
import { loadMailSettings } from '../../mail/settings.ts';
import { createMailTransport } from '../../mail/transport.ts';
import { outboxSignal } from '../../mail/outbox.ts';
import { createJobQueue, jobHandlers, jobSchedules, jobsMode } from '../../jobs/index.ts';

const HELP = `Usage: dailypapers serve [--port N] [--db PATH] [--no-sample]

Serves the hub. Env: PORT, DATABASE_URL, BASE_URL, SECRET, SITE_NAME, EDITOR_NAME, HOST;
mail: SMTP_URL, MAIL_FROM, DIGEST_CRON (default "0 7 * * *"; off), DIGEST_TZ (see digest --help).
JOBS=inline|worker (default inline on SQLite, worker on PostgreSQL): whether this process runs the
digest and trending schedules, or leaves them to \`dailypapers worker\` processes.
On first start an empty database is loaded with the bundled sample unless --no-sample.`;

export const SAMPLE_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../sample/daily-sample.jsonl.gz');

async function loadSampleIfEmpty(db: Db, log: pino.Logger): Promise<void> {
  if ((await countPapers(db)) > 0) return;
  const stats = await importPaths(db, [SAMPLE_FILE], { feature: 'auto' });
  log.info({ papers: stats.inserted, featured: stats.featured }, 'loaded the bundled sample into the empty database');
}

export async function run(argv: string[], ctx: CliContext): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, db: { type: 'string' }, 'no-sample': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    line(ctx.stdout, HELP);
    return EXIT.ok;
  }
  const port = values.port !== undefined ? Number(values.port) : undefined;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new UsageError(`--port must be an integer 0-65535, got "${values.port}"`);
  const log = pino({ level: ctx.env.LOG_LEVEL ?? 'info' });
  const configured = loadConfig({ port, db: values.db, sample: !values['no-sample'] }, ctx.env);
  const db = await openDatabase(configured.databaseUrl);
  const config = await withSharedSecret(configured, db);
  if (config.loadSample) await loadSampleIfEmpty(db, log);
  const app = createApp({ db, config, now: () => new Date() });
  const settings = loadMailSettings(ctx.env);
  const mode = jobsMode(ctx.env, db);
  const jobs = createJobQueue(db, log);
  let mail: { stop(): Promise<void> } | null = null;
  let jobTransport: ReturnType<typeof createMailTransport> | null = null;
  const forwardOutbox = () => void jobs.enqueue('outbox.drain', {}, { jobKey: 'outbox.drain', maxAttempts: 1 }).catch((err) => log.error({ err }, 'could not queue the outbox job'));
  if (mode === 'inline') {
    // Score what was imported while the server was down; the queue then re-decays every 15 min
    // and renders digests at DIGEST_CRON (DIGEST_CRON=off disables).
    await trendingTick(db, new Date());
    jobTransport = createMailTransport(config, { concurrency: settings.concurrency });
    await jobs.start(jobHandlers({ db, config, settings, transport: jobTransport, log, queue: jobs }), { schedules: jobSchedules(settings) });
    // The outbox worker (SMTP_URL, else .eml files), woken at once by confirmations.
    mail = startMailService({ db, config, settings: { ...settings, digestCron: null }, log });
  } else if (jobs.backend === 'graphile') {
    // Workers deliver; a confirmation queued by a request reaches one within milliseconds (NOTIFY).
    outboxSignal.on('queued', forwardOutbox);
  }
  log.info({ jobs: mode, queue: jobs.backend, digest: mode === 'inline' && settings.digestCron ? `${settings.digestCron} ${settings.digestTz}` : 'off' }, mode === 'inline' ? 'running background jobs in this process' : 'background jobs are left to `dailypapers worker`');
  // Search: loads the vector index, embeds what web writes add, builds a missing index in a child process.
  const search = await startSearchMaintenance({ db, log });

  return new Promise<number>((resolve) => {
    const server = createServer();
    const closer = trackConnections(server);
    // Registered after trackConnections' listener, so that its shutdown headers (Connection: close)
    // are set before the fast path writes a cached page; see web/fast-path.ts for that path.
    server.on('request', withPageCacheFastPath(db, getRequestListener(app.fetch, { hostname: config.host })));
    server.listen(config.port, config.host, () => {
      const info = server.address() as AddressInfo;
      // PORT=0 picks a free port: links in pages and mail must name the one actually used.
      if (!ctx.env.BASE_URL && config.port === 0) config.baseUrl = `http://localhost:${info.port}`;
      log.info({ url: `http://localhost:${info.port}`, db: db.location }, `${config.siteName} is serving`);
      // A machine-readable line lets scripts and tests find the port when PORT=0.
      line(ctx.stdout, `listening on http://localhost:${info.port}`);
    });
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down: finishing in-flight requests');
      outboxSignal.off('queued', forwardOutbox);
      const mailStopped = Promise.all([mail?.stop(), jobs.stop()]).finally(() => jobTransport?.close());
      // See graceful-close.ts: queued connections and unread requests are served, not reset.
      const graceMs = Number(ctx.env.SHUTDOWN_GRACE_MS ?? 1000);
      const freshMs = Number(ctx.env.SHUTDOWN_FRESH_MS ?? 5000);
      void closer
        .close({ graceMs: Number.isFinite(graceMs) && graceMs >= 0 ? graceMs : 1000, freshMs, forceMs: freshMs * 2, onForce: () => log.warn('forcing shutdown') })
        .then(async () => {
          await mailStopped;
          await search.stop();
          await db.close();
          log.info('stopped');
          resolve(EXIT.ok);
        });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
