/**
 * Digest and delivery knobs, read from the environment by `serve` and `digest send`. They live
 * apart from Config (which carries only SMTP_URL and MAIL_FROM) so that the mail module can grow
 * settings without touching the shared config; tests build them with `mailSettings({...})`.
 */
export interface MailSettings {
  /** DIGEST_CRON: when `serve` sends the daily digest (croner pattern); null (`off`) disables it. */
  digestCron: string | null;
  /** DIGEST_TZ: the time zone of DIGEST_CRON and of the digest's date. */
  digestTz: string;
  /** DIGEST_WEEKLY_DAY: the weekday (0 = Sunday … 6) whose daily run also sends the weekly digest. */
  weeklyDay: number;
  /** DIGEST_SKIP_WEEKENDS=1: no daily digest on Saturday and Sunday; Monday's covers the weekend. */
  skipWeekends: boolean;
  /** DIGEST_TOP_N: trending papers per digest. */
  topN: number;
  /** DIGEST_TOPIC_LIMIT: papers per topic in "New in your topics". */
  topicLimit: number;
  /** MAIL_RATE: messages per second (0 = unpaced). */
  rate: number;
  /** MAIL_CONCURRENCY: SMTP connections / parallel deliveries. */
  concurrency: number;
  /** MAIL_MAX_ATTEMPTS: temporary failures are retried this many times in all, then given up. */
  maxAttempts: number;
  /** MAIL_BOUNCE_AFTER: permanent (5xx) failures in a row that mark an address bounced. */
  bounceAfter: number;
  /** MAIL_RETRY_BASE_MS: first retry delay; doubles per attempt up to MAIL_RETRY_MAX_MS. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** A claimed row whose worker vanished (other host) is retried after this long. */
  leaseMs: number;
  /** CONFIRM_TTL_HOURS: confirmation links expire after this long. */
  confirmTtlHours: number;
  /** WEBHOOK_TIMEOUT_MS: one webhook delivery attempt. */
  webhookTimeoutMs: number;
  /** WEBHOOK_ALLOW_PRIVATE=1: allow webhooks to loopback/private addresses (off: no SSRF). */
  webhookAllowPrivate: boolean;
}

export const DEFAULT_MAIL_SETTINGS: MailSettings = {
  digestCron: '0 7 * * *',
  digestTz: 'UTC',
  weeklyDay: 1,
  skipWeekends: false,
  topN: 10,
  topicLimit: 5,
  rate: 10,
  concurrency: 4,
  maxAttempts: 10,
  bounceAfter: 3,
  retryBaseMs: 60_000,
  retryMaxMs: 3_600_000,
  leaseMs: 5 * 60_000,
  confirmTtlHours: 48,
  webhookTimeoutMs: 10_000,
  webhookAllowPrivate: false,
};

export function mailSettings(partial: Partial<MailSettings> = {}): MailSettings {
  return { ...DEFAULT_MAIL_SETTINGS, ...partial };
}

function num(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name} must be a number >= ${min}, got "${raw}"`);
  return n;
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  return env[name] === '1' || env[name] === 'true';
}

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

export function loadMailSettings(env: NodeJS.ProcessEnv = process.env): MailSettings {
  const d = DEFAULT_MAIL_SETTINGS;
  const cron = env.DIGEST_CRON;
  const weekly = (env.DIGEST_WEEKLY_DAY ?? '').toLowerCase().slice(0, 3);
  const tz = env.DIGEST_TZ || d.digestTz;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new Error(`DIGEST_TZ must be an IANA time zone such as Europe/Paris, got "${tz}"`);
  }
  return {
    digestCron: cron === 'off' || cron === 'false' ? null : cron || d.digestCron,
    digestTz: tz,
    weeklyDay: weekly ? (WEEKDAYS.includes(weekly) ? WEEKDAYS.indexOf(weekly) : Math.min(6, Math.floor(num(env, 'DIGEST_WEEKLY_DAY', d.weeklyDay)))) : d.weeklyDay,
    skipWeekends: flag(env, 'DIGEST_SKIP_WEEKENDS'),
    topN: num(env, 'DIGEST_TOP_N', d.topN, 1),
    topicLimit: num(env, 'DIGEST_TOPIC_LIMIT', d.topicLimit, 1),
    rate: num(env, 'MAIL_RATE', d.rate),
    concurrency: num(env, 'MAIL_CONCURRENCY', d.concurrency, 1),
    maxAttempts: num(env, 'MAIL_MAX_ATTEMPTS', d.maxAttempts, 1),
    bounceAfter: num(env, 'MAIL_BOUNCE_AFTER', d.bounceAfter, 1),
    retryBaseMs: num(env, 'MAIL_RETRY_BASE_MS', d.retryBaseMs),
    retryMaxMs: num(env, 'MAIL_RETRY_MAX_MS', d.retryMaxMs),
    leaseMs: num(env, 'MAIL_LEASE_MS', d.leaseMs),
    confirmTtlHours: num(env, 'CONFIRM_TTL_HOURS', d.confirmTtlHours, 1),
    webhookTimeoutMs: num(env, 'WEBHOOK_TIMEOUT_MS', d.webhookTimeoutMs, 1),
    webhookAllowPrivate: flag(env, 'WEBHOOK_ALLOW_PRIVATE'),
  };
}
