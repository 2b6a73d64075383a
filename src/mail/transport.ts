/**
 * Where messages go: SMTP through nodemailer's connection pool when SMTP_URL is set, otherwise one
 * `.eml` file per message in `<dataDir>/outbox`, so the whole flow can be tried on a laptop (open
 * the files in any mail client). Failures are classified here, once, for the sender's retry logic.
 */
import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Config } from '../config.ts';

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  messageId: string;
  headers: Record<string, string>;
}

export interface MailTransport {
  readonly description: string;
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export type FailureKind = 'temporary' | 'permanent';

/**
 * 5xx replies to the envelope or the message are permanent (RFC 5321), except 503 (bad sequence,
 * a session problem). Everything else, 4xx and connection failures, is temporary. An
 * authentication failure is also temporary: it is our configuration, not the recipient's fault,
 * and must never bounce every subscriber.
 */
export function classifySmtpError(err: unknown): FailureKind {
  const e = err as { responseCode?: number; code?: string };
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH') return 'temporary';
  if (typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600 && e.responseCode !== 503) return 'permanent';
  return 'temporary';
}

function toNodemailer(m: OutgoingMail) {
  // A fixed encoding spares nodemailer scanning every body to choose one; QP keeps the source readable.
  return { from: m.from, to: m.to, subject: m.subject, html: m.html, text: m.text, messageId: m.messageId, headers: m.headers, textEncoding: 'quoted-printable' as const };
}

export function smtpTransport(url: string, opts: { concurrency: number }): MailTransport {
  const transporter = nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: Math.max(1, opts.concurrency),
    maxMessages: 1000,
    // A stuck server must not stall a worker forever: the row is retried instead.
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
  } as never);
  return {
    description: `SMTP ${redact(url)}`,
    async send(m) {
      await transporter.sendMail(toNodemailer(m));
    },
    close() {
      transporter.close();
    },
  };
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'smtp';
  }
}

/** One `.eml` per message, written to a temporary name and renamed, so a crash never leaves half a file. */
export function fileTransport(dir: string): MailTransport {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  let made = false;
  return {
    description: `files in ${dir}`,
    async send(m) {
      if (!made) {
        await fs.promises.mkdir(dir, { recursive: true });
        made = true;
      }
      const info = await composer.sendMail(toNodemailer(m));
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${m.messageId.replace(/[^A-Za-z0-9.@-]+/g, '_').replace(/^_|_$/g, '')}.eml`;
      const tmp = path.join(dir, `.${name}.tmp`);
      await fs.promises.writeFile(tmp, info.message as Buffer);
      await fs.promises.rename(tmp, path.join(dir, name));
    },
    close() {},
  };
}

export function createMailTransport(config: Config, opts: { concurrency: number }): MailTransport {
  return config.smtpUrl ? smtpTransport(config.smtpUrl, opts) : fileTransport(path.join(config.dataDir, 'outbox'));
}
