/**
 * A mail test bench: an app over a fresh database with a movable clock, a real SMTP server on
 * loopback, and a sender pointed at it.
 */
import type { TestContext } from 'node:test';
import { createApp } from '../../src/web/app.ts';
import { testConfig, type Config } from '../../src/config.ts';
import { mailSettings, type MailSettings } from '../../src/mail/settings.ts';
import { smtpTransport, type MailTransport } from '../../src/mail/transport.ts';
import { drainOutbox } from '../../src/mail/sender.ts';
import { preparePeriod } from '../../src/mail/digest.ts';
import { confirmSubscriber, insertPendingSubscriber, type Frequency } from '../../src/storage/subscriptions-repo.ts';
import { freshDb } from './db.ts';
import { startSmtp, type TestSmtp } from './smtp.ts';

export interface MailBench {
  db: Awaited<ReturnType<typeof freshDb>>['db'];
  dir: string;
  file: string;
  app: ReturnType<typeof createApp>;
  config: Config;
  settings: MailSettings;
  smtp: TestSmtp;
  transport: MailTransport;
  clock: { now: Date };
  drain: (opts?: Parameters<typeof drainOutbox>[1]) => ReturnType<typeof drainOutbox>;
  digest: (frequency?: Frequency) => ReturnType<typeof preparePeriod>;
  subscribe: (email: string, opts?: { frequency?: Frequency; topics?: string[] }) => Promise<number>;
}

export async function mailBench(t: TestContext, opts: { settings?: Partial<MailSettings>; config?: Partial<Config>; now?: string; smtp?: Parameters<typeof startSmtp>[0] } = {}): Promise<MailBench> {
  const f = await freshDb();
  const clock = { now: new Date(opts.now ?? '2025-03-12T12:00:00Z') };
  const smtp = await startSmtp(opts.smtp);
  const config = testConfig({ dataDir: f.dir, smtpUrl: smtp.url, ...opts.config });
  const settings = mailSettings({ rate: 0, concurrency: 2, retryBaseMs: 60_000, ...opts.settings });
  const transport = smtpTransport(smtp.url, { concurrency: settings.concurrency });
  const app = createApp({ db: f.db, config, now: () => clock.now });
  t.after(async () => {
    transport.close();
    await smtp.close();
    await f.cleanup();
  });
  return {
    ...f,
    app,
    config,
    settings,
    smtp,
    transport,
    clock,
    drain: (o) => drainOutbox({ db: f.db, config, settings, transport, now: () => clock.now }, o),
    digest: (frequency = 'daily') => preparePeriod(f.db, config, settings, frequency, clock.now),
    async subscribe(email, o = {}) {
      const s = await insertPendingSubscriber(f.db, { email, frequency: o.frequency ?? 'daily', topics: o.topics ?? [], now: clock.now.toISOString() });
      await confirmSubscriber(f.db, s.id, clock.now.toISOString(), null);
      return s.id;
    },
  };
}

/** The first link in a text body that starts with `prefix`. */
export function linkIn(text: string, prefix: string): string {
  const m = new RegExp(`${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^\\s<>"]+`).exec(text);
  if (!m) throw new Error(`no link starting with ${prefix} in:\n${text}`);
  return m[0];
}
