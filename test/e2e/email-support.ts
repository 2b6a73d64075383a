/**
 * Email end-to-end support: a real `dailypapers serve` process whose mail goes to an in-process
 * SMTP server (test/support/smtp.ts), and the `dailypapers digest` CLI run against the same
 * database and settings, as an administrator's cron job would.
 *
 * Unlike startE2eServer, the port is chosen before the server starts: the links in emails are
 * built from BASE_URL, which must be the address the browser and the test really reach.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { ROOT, runCli, startServer, waitForExit, type RunResult } from '../support/cli.ts';
import { freePort, startSmtp, type TestSmtp } from '../support/smtp.ts';
import { SAMPLE_DAYS_DIR } from './browser.ts';

const BUNDLED_SAMPLE = path.join(ROOT, 'sample/daily-sample.jsonl.gz');

export interface MailE2eServer {
  url: string;
  dbFile: string;
  smtp: TestSmtp;
  /** The latest featured day in the served database. */
  latestDay: string;
  /** `dailypapers digest send --frequency daily --since <latestDay> --now <now>` with the server's settings. */
  digest: (now: Date) => Promise<RunResult>;
  /** `dailypapers digest status`. */
  status: () => Promise<RunResult>;
  output: () => string;
  stop: () => Promise<void>;
}

export async function startMailE2eServer(): Promise<MailE2eServer> {
  const smtp = await startSmtp();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-e2e-mail-'));
  const dbFile = path.join(dir, 'e2e.sqlite');
  const base = {
    OFFLINE: '1',
    DATA_DIR: dir,
    LOG_LEVEL: 'warn',
    // Keyword search only: nothing here searches by meaning, and embedding on import costs seconds.
    SEARCH_PROVIDER: 'none',
    SECRET: crypto.randomBytes(24).toString('base64url'),
    SMTP_URL: smtp.url,
    // The test decides when digests go out (the CLI); the server's own schedule stays off.
    DIGEST_CRON: 'off',
    MAIL_RATE: '0',
  };
  const days = fs.existsSync(SAMPLE_DAYS_DIR)
    ? fs.readdirSync(SAMPLE_DAYS_DIR).filter((f) => f.endsWith('.jsonl')).map((f) => path.join(SAMPLE_DAYS_DIR, f))
    : [BUNDLED_SAMPLE];
  try {
    const imported = await runCli(['import', '--quiet', '--db', dbFile, ...days], base);
    assert.equal(imported.code, 0, `dailypapers import failed:\n${imported.stdout}\n${imported.stderr}`);
    const sqlite = new Database(dbFile, { readonly: true });
    const latestDay = (sqlite.prepare('SELECT max(day) AS d FROM daily_entries').get() as { d: string | null }).d;
    sqlite.close();
    assert.ok(latestDay, 'the import featured papers');
    // A port picked a moment before the server takes it can be taken by someone else: try again.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const env = { ...base, BASE_URL: `http://127.0.0.1:${port}` };
      let started: Awaited<ReturnType<typeof startServer>>;
      try {
        // `serve` passes `--port 0` first; the later --port wins.
        started = await startServer(['--db', dbFile, '--no-sample', '--port', String(port)], { ...env, HOST: '127.0.0.1' });
      } catch (err) {
        if (attempt < 3 && /EADDRINUSE/.test(String(err))) continue;
        throw err;
      }
      const { child } = started;
      const url = started.url.replace('localhost', '127.0.0.1');
      assert.equal(url, env.BASE_URL, 'the server listens where its links point');
      const cli = (args: string[]) => runCli([...args, '--db', dbFile], env);
      return {
        url,
        dbFile,
        smtp,
        latestDay,
        digest: (now) => cli(['digest', 'send', '--frequency', 'daily', '--since', latestDay, '--now', now.toISOString()]),
        status: () => cli(['digest', 'status']),
        output: started.output,
        stop: async () => {
          child.kill('SIGTERM');
          await waitForExit(child);
          await smtp.close();
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    }
  } catch (err) {
    await smtp.close();
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Headers as one line each (RFC 5322 folding undone). */
export function unfoldHeaders(raw: string): string {
  return raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
}

/** The value of a header in a raw message (after unfolding), or null. */
export function rawHeader(raw: string, name: string): string | null {
  const m = new RegExp(`^${name}:[ \\t]*(.*?)\\r?$`, 'im').exec(unfoldHeaders(raw));
  return m ? m[1] : null;
}
