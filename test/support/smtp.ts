/**
 * A real SMTP server on 127.0.0.1 for tests and the benchmark (smtp-server), recording what it
 * accepts; messages are parsed with mailparser on demand. `rcpt` lets a test refuse a recipient
 * (4xx/5xx) or hold the transaction open (to kill the sender mid-send).
 */
import net from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface Received {
  from: string;
  to: string[];
  raw: string;
}

export type RcptHook = (address: string, n: number) => void | { code: number; message: string } | Promise<void | { code: number; message: string }>;

export interface TestSmtp {
  port: number;
  url: string;
  messages: Received[];
  /** RCPT TO commands seen, accepted or not. */
  rcpts: string[];
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  parse(m: Received): Promise<ParsedMail>;
  /** Messages for one address. */
  to(address: string): Received[];
  close(): Promise<void>;
}

export async function startSmtp(opts: { port?: number; rcpt?: RcptHook; keepRaw?: boolean } = {}): Promise<TestSmtp> {
  const messages: Received[] = [];
  const rcpts: string[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    // A reverse DNS lookup per connection would wait for a resolver this machine may not have.
    disableReverseLookup: true,
    size: 10 * 1024 * 1024,
    // close() waits for clients to hang up; a test's pooled connections need not be waited for.
    closeTimeout: 200,
    async onRcptTo(address, _session, callback) {
      rcpts.push(address.address);
      try {
        const verdict = await opts.rcpt?.(address.address, rcpts.length);
        if (verdict) {
          const err = new Error(verdict.message) as Error & { responseCode: number };
          err.responseCode = verdict.code;
          return callback(err);
        }
        callback();
      } catch (err) {
        callback(err as Error);
      }
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: opts.keepRaw === false ? '' : Buffer.concat(chunks).toString('utf8'),
        });
        for (const w of waiters.filter((w) => messages.length >= w.count)) w.resolve();
        callback();
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as net.AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    rcpts,
    waitFor(count, timeoutMs = 20_000) {
      if (messages.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`waited for ${count} messages, got ${messages.length}`)), timeoutMs);
        waiters.push({ count, resolve: () => (clearTimeout(t), resolve()) });
      });
    },
    parse: (m) => simpleParser(m.raw),
    to: (address) => messages.filter((m) => m.to.includes(address)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port with nothing listening on it (for "SMTP is down"); it can be listened on later. */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
