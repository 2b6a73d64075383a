import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.ts';
import { openDatabase, type Db } from '../../storage/db.ts';
import { withSharedSecret } from '../../storage/shared-secret.ts';
import { isValidDay } from '../../domain/dates.ts';
import { loadMailSettings, type MailSettings } from '../../mail/settings.ts';
import { findRun, planRun, preparePeriod, renderRun } from '../../mail/digest.ts';
import { drainOutbox, type DrainStats } from '../../mail/sender.ts';
import { createMailTransport } from '../../mail/transport.ts';
import { composeDigest } from '../../mail/compose.ts';
import { nextDue, outboxCounts, type OutboxRow } from '../../mail/outbox.ts';
import { isWeekend, periodKey } from '../../mail/periods.ts';
import { guessWebhookKind, webhookUrlProblem, type WebhookKind } from '../../mail/webhooks.ts';
import { deleteWebhook, findSubscriberByEmail, insertWebhook, listWebhooks, subscriberCounts } from '../../storage/subscriptions-repo.ts';
import { parseTopics } from '../../services/subscriptions.ts';
import { mailKysely } from '../../storage/mail-migrations.ts';
import { EXIT, UsageError, line, type CliContext } from '../context.ts';
// Topic alerts use the search engine, whose migrations register themselves when its module loads.
// They must be registered before this command opens (and migrates) a database that the search
// engine has already migrated, or the migrator reports them missing.
import '../../storage/search-migrations.ts';

const HELP = `Usage: dailypapers digest send --frequency daily|weekly [--dry-run] [--to <email>] [--since YYYY-MM-DD] [--now <ISO time>] [--db <path>]
       dailypapers digest status [--db <path>]
       dailypapers digest webhook add --topic <search> --url <url> [--kind slack|discord|json]
       dailypapers digest webhook list | remove <id>

  send      render this period's digest into the outbox (one row per confirmed subscriber;
            nothing for subscribers with nothing new), then deliver everything due. Safe to run
            again or after a crash: the period is rendered once and each subscriber gets one digest.
              --dry-run     render without queueing or sending; print the counts and a sample
              --to <email>  send this period's digest to this one address only (a preview; the
                            address's topics are used if it is subscribed)
              --since DAY   the first day to cover (the first daily run covers yesterday and today)
              --now TIME    pretend it is this time (backfills, tests)
  status    subscribers by state, and the outbox by status
  webhook   topic webhooks not tied to a subscriber (instance-wide alerts)

Env: SMTP_URL (unset: .eml files in <data dir>/outbox), MAIL_FROM, MAIL_RATE (messages/s),
MAIL_CONCURRENCY, MAIL_MAX_ATTEMPTS, MAIL_BOUNCE_AFTER, MAIL_RETRY_BASE_MS, DIGEST_TZ,
DIGEST_TOP_N, DIGEST_TOPIC_LIMIT, DIGEST_SKIP_WEEKENDS, WEBHOOK_TIMEOUT_MS, WEBHOOK_ALLOW_PRIVATE.

Exit codes: 0 ok (messages waiting for a retry are not an error); 1 failure; 2 usage.`;

function summary(s: DrainStats): string {
  return `sent ${s.sent}, retrying later ${s.retried}, bounced ${s.bounced}, suppressed ${s.suppressed}, failed ${s.failed}`;
}

async function send(db: Db, ctx: CliContext, settings: MailSettings, values: Record<string, string | boolean | undefined>): Promise<number> {
  const config = await withSharedSecret(loadConfig({ db: values.db as string | undefined }, ctx.env), db);
  const frequency = values.frequency as string | undefined;
  if (frequency !== 'daily' && frequency !== 'weekly') throw new UsageError('--frequency must be daily or weekly');
  const since = values.since as string | undefined;
  if (since !== undefined && !isValidDay(since)) throw new UsageError('--since must be a day YYYY-MM-DD');
  const now = values.now ? new Date(values.now as string) : new Date();
  if (Number.isNaN(now.getTime())) throw new UsageError('--now must be an ISO date-time');
  const to = values.to as string | undefined;

  if (values['dry-run']) {
    // A period already started keeps its window; otherwise show what a run now would cover.
    const run = (await findRun(db, periodKey(frequency, now, settings.digestTz))) ?? (await planRun(db, frequency, now, settings, { sinceDay: since }));
    const r = await renderRun(db, config, settings, run, { now, dryRun: true, only: to });
    line(ctx.stdout, `${run.period}: ${r.trending} trending papers; ${r.subscribers} subscribers, ${r.subscribers - r.nothingNew} would get a digest, ${r.nothingNew} have nothing new; ${r.topics} distinct topics; ${r.webhooks} webhooks`);
    const sample = r.rows[0];
    if (sample) {
      const fake = { ...sample, id: 0, payload: JSON.stringify(sample.payload), key: sample.key, period: sample.period ?? null, subscriber_id: sample.subscriberId ?? null } as unknown as OutboxRow;
      const sub = sample.subscriberId ? await findSubscriberByEmail(db, sample.recipient) : null;
      const mail = await composeDigest(config, fake, sub, { get: async (ids) => new Map(ids.map((id) => [id, r.parts.get(id)!])) });
      line(ctx.stdout, `\nTo: ${mail.to}\nSubject: ${mail.subject}\n\n${mail.text}`);
    }
    return EXIT.ok;
  }

  const transport = createMailTransport(config, { concurrency: settings.concurrency });
  try {
    let onlyIds: number[] | undefined;
    if (to) {
      const run = await planRun(db, frequency, now, settings, { sinceDay: since });
      const r = await renderRun(db, config, settings, run, { now, only: to });
      if (r.rows.length === 0) {
        line(ctx.stdout, `${run.period}: nothing new for ${to}; no email`);
        return EXIT.ok;
      }
      const ids = await mailKysely(db.kysely).selectFrom('outbox').select('id').where('key', '=', r.rows[0].key).execute();
      onlyIds = ids.map((i) => Number(i.id));
    } else if (frequency === 'daily' && settings.skipWeekends && isWeekend(now, settings.digestTz)) {
      line(ctx.stdout, 'daily digest skipped: weekend (DIGEST_SKIP_WEEKENDS); Monday covers it');
    } else {
      const { run, rendered } = await preparePeriod(db, config, settings, frequency, now, { sinceDay: since });
      line(
        ctx.stdout,
        rendered
          ? `${run.period}: queued ${rendered.queued} digests (${rendered.trending} trending papers, ${rendered.nothingNew} subscribers with nothing new, ${rendered.webhooks} webhooks)`
          : `${run.period}: already rendered; resuming delivery`,
      );
    }
    line(ctx.stdout, `delivering through ${transport.description}`);
    const stats = await drainOutbox({ db, config, settings, transport, log: (msg, data) => line(ctx.stderr, `${msg} ${JSON.stringify(data ?? {})}`) }, { onlyIds });
    const left = await outboxCounts(db);
    const due = await nextDue(db);
    line(ctx.stdout, `${summary(stats)}; ${left.queued} queued${due && left.queued ? ` (next attempt ${due.toISOString()})` : ''}`);
    return EXIT.ok;
  } finally {
    transport.close();
  }
}

async function webhook(db: Db, ctx: CliContext, args: string[], values: Record<string, string | boolean | undefined>): Promise<number> {
  const [verb, id] = args;
  if (verb === 'list') {
    for (const w of await listWebhooks(db)) line(ctx.stdout, `${w.id}\t${w.kind}\t${w.disabledAt ? 'disabled' : 'active'}\t${w.subscriberId ?? '-'}\t${w.topic}\t${w.url}`);
    return EXIT.ok;
  }
  if (verb === 'remove') {
    if (!/^\d+$/.test(id ?? '')) throw new UsageError('digest webhook remove needs the webhook <id> (see digest webhook list)');
    if (!(await deleteWebhook(db, Number(id)))) {
      line(ctx.stderr, `no webhook ${id}`);
      return EXIT.failure;
    }
    line(ctx.stdout, `removed webhook ${id}`);
    return EXIT.ok;
  }
  if (verb !== 'add') throw new UsageError('digest webhook: expected add, list or remove');
  const url = String(values.url ?? '');
  const problem = webhookUrlProblem(url);
  if (problem) throw new UsageError(`--url: ${problem}`);
  let topic: string;
  try {
    [topic] = parseTopics([values.topic ?? '']);
  } catch (err) {
    throw new UsageError(`--topic: ${(err as Error).message}`);
  }
  const kind = (values.kind as WebhookKind | undefined) ?? guessWebhookKind(url);
  if (!['slack', 'discord', 'json'].includes(kind)) throw new UsageError('--kind must be slack, discord or json');
  const newId = await insertWebhook(db, { subscriberId: null, topic, url, kind, now: new Date().toISOString() });
  line(ctx.stdout, `added webhook ${newId} (${kind}) for "${topic}"`);
  return EXIT.ok;
}

export async function run(argv: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      frequency: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      to: { type: 'string' },
      since: { type: 'string' },
      now: { type: 'string' },
      db: { type: 'string' },
      topic: { type: 'string' },
      url: { type: 'string' },
      kind: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [sub, ...rest] = positionals;
  if (values.help || !sub) {
    line(values.help ? ctx.stdout : ctx.stderr, HELP);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  if (!['send', 'status', 'webhook'].includes(sub)) throw new UsageError(`unknown digest subcommand "${sub}" (expected send, status or webhook)`);
  let settings: MailSettings;
  try {
    settings = loadMailSettings(ctx.env);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.to !== undefined && (/[\r\n]/.test(values.to) || !/^[^\s@]+@[^\s@]+$/.test(values.to))) throw new UsageError('--to must be an email address');
  const config = loadConfig({ db: values.db }, ctx.env);
  const db = await openDatabase(config.databaseUrl);
  try {
    if (sub === 'send') return await send(db, ctx, settings, values);
    if (sub === 'webhook') return await webhook(db, ctx, rest, values);
    const subs = await subscriberCounts(db);
    const box = await outboxCounts(db);
    line(ctx.stdout, `subscribers: ${Object.entries(subs).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
    line(ctx.stdout, `outbox: ${Object.entries(box).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    return EXIT.ok;
  } finally {
    await db.close();
  }
}
