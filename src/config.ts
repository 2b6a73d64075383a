import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sqlitePathFromUrl } from './storage/db.ts';

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  /** Public URL used in links and emails, without trailing slash. */
  baseUrl: string;
  secret: string;
  siteName: string;
  editorName: string;
  /** Directory for the database, the generated secret, and later the outbox and vector index. */
  dataDir: string;
  /** Load the bundled sample into an empty database at start. */
  loadSample: boolean;
  /** Trust X-Forwarded-For for client addresses (set TRUST_PROXY=1 behind a reverse proxy). */
  trustProxy: boolean;
  /** Community submissions must be at most this many days old (SUBMIT_MAX_AGE_DAYS). */
  submitMaxAgeDays: number;
  /** Submissions per user per day (SUBMIT_DAILY_CAP). */
  submitDailyCap: number;
  /** SMTP_URL, e.g. `smtps://user:pass@mail.example.org:465`; null writes `.eml` files to `<dataDir>/outbox`. */
  smtpUrl: string | null;
  /** MAIL_FROM, the digest's From: address, e.g. `Daily Papers <papers@example.org>`. */
  mailFrom: string;
}

export interface ConfigOverrides {
  port?: number;
  db?: string;
  sample?: boolean;
}

export const DEFAULT_DB = './data/dailypapers.sqlite';

/** Reads the secret from SECRET, else from `<dataDir>/secret`, generating that file on first use. */
function resolveSecret(env: NodeJS.ProcessEnv, dataDir: string): string {
  if (env.SECRET) return env.SECRET;
  const file = path.join(dataDir, 'secret');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    fs.mkdirSync(dataDir, { recursive: true });
    const secret = crypto.randomBytes(32).toString('base64url');
    fs.writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
    return secret;
  }
}

function intEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

export function loadConfig(overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = overrides.db ?? env.DATABASE_URL ?? DEFAULT_DB;
  const isPostgres = /^postgres(ql)?:\/\//.test(databaseUrl);
  const dbFile = isPostgres ? null : sqlitePathFromUrl(databaseUrl);
  const dataDir = env.DATA_DIR ?? (dbFile && dbFile !== ':memory:' ? path.dirname(path.resolve(dbFile)) : path.resolve('data'));
  const port = overrides.port ?? (env.PORT ? Number(env.PORT) : 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be an integer 0-65535, got "${env.PORT}"`);
  const baseUrl = (env.BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    databaseUrl,
    baseUrl,
    // PostgreSQL: every instance must sign with the same secret, so it lives in the database
    // (withSharedSecret) unless SECRET is set; a file would differ from host to host.
    secret: isPostgres ? (env.SECRET ?? '') : resolveSecret(env, dataDir),
    siteName: env.SITE_NAME ?? 'Daily Papers',
    editorName: env.EDITOR_NAME ?? 'the editors',
    dataDir,
    loadSample: overrides.sample ?? true,
    trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
    submitMaxAgeDays: intEnv(env, 'SUBMIT_MAX_AGE_DAYS', 14),
    submitDailyCap: intEnv(env, 'SUBMIT_DAILY_CAP', 5),
    smtpUrl: env.SMTP_URL || null,
    // The display name is quoted: a site name with a comma would otherwise read as two addresses.
    mailFrom: env.MAIL_FROM || `"${(env.SITE_NAME ?? 'Daily Papers').replace(/["\\\r\n]/g, '')}" <no-reply@${new URL(baseUrl).hostname}>`,
  };
}

/** A config for tests: no files touched, a fixed secret. */
export function testConfig(partial: Partial<Config> = {}): Config {
  return {
    port: 0,
    host: '127.0.0.1',
    databaseUrl: ':memory:',
    baseUrl: 'http://localhost:3000',
    secret: 'test-secret',
    siteName: 'Daily Papers',
    editorName: 'AK',
    dataDir: '/tmp',
    loadSample: false,
    trustProxy: false,
    submitMaxAgeDays: 14,
    submitDailyCap: 5,
    smtpUrl: null,
    mailFrom: 'Daily Papers <no-reply@localhost>',
    ...partial,
  };
}
