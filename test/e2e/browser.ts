/**
 * End-to-end support: a real `dailypapers serve` process over a fresh database, and Debian's
 * Chromium driven by playwright-core (which never downloads a browser of its own).
 *
 * The server gets the three real sample days from ../shared (the bundled sample when they are
 * missing), two recent papers that are indexed but not featured (for the submit and editor
 * flows), and an editor account, all through the CLI as an administrator would.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ROOT, runCli, startServer, waitForExit } from '../support/cli.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** No sandbox (CI runs as root), no GPU, and no network traffic of the browser's own (updates, sync, QUIC). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const SAMPLE_DAYS_DIR = path.resolve(ROOT, '../shared/data/arxiv-daily-2025-2026/sample-days');
const BUNDLED_SAMPLE = path.join(ROOT, 'sample/daily-sample.jsonl.gz');
export const RESULTS_DIR = path.join(ROOT, 'test-results');

export const EDITOR = { username: 'e2e-editor', email: 'editor@example.org', password: 'editor passphrase 42' };

export interface E2eServer {
  url: string;
  dbFile: string;
  /** Recent papers that are indexed but not featured: [for a submission, for the editor]. */
  unfeatured: { id: string; title: string }[];
  output: () => string;
  stop: () => Promise<void>;
}

/** Fails the test with the CLI's own words when a setup command does not succeed. */
async function cli(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<void> {
  const r = await runCli(args, env, input);
  assert.equal(r.code, 0, `dailypapers ${args.slice(0, 2).join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
}

/** Two papers announced today, in the daily scraper's raw shape (the day is the file's name). */
function writeRecentPapers(dir: string, now: Date): { file: string; papers: { id: string; title: string }[] } {
  const day = now.toISOString().slice(0, 10);
  const yymm = day.slice(2, 4) + day.slice(5, 7);
  const papers = [
    { id: `${yymm}.99901`, title: 'Sparse Attention Kernels for Very Long Documents' },
    { id: `${yymm}.99902`, title: 'Calibrated Uncertainty for Retrieval-Augmented Generation' },
  ];
  const lines = papers.map((p, i) =>
    JSON.stringify({
      id: p.id,
      abs: `https://arxiv.org/abs/${p.id}`,
      pdf: `https://arxiv.org/pdf/${p.id}`,
      categories: i === 0 ? ['cs.CL', 'cs.LG'] : ['cs.IR', 'cs.CL'],
      authors: ['Grace Hopper', 'Edsger Dijkstra'],
      title: p.title,
      comment: null,
      summary: `We study ${p.title.toLowerCase()} and report results on standard benchmarks.`,
    }),
  );
  const file = path.join(dir, `recent-${day}.jsonl`);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return { file, papers };
}

/**
 * A server on a free port with its own database. OFFLINE=1: nothing may reach arXiv, so the
 * submit flow must use papers the instance already has.
 */
export async function startE2eServer(opts: { community?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<E2eServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-e2e-'));
  const dbFile = path.join(dir, 'e2e.sqlite');
  const env = { OFFLINE: '1', DATA_DIR: dir, LOG_LEVEL: 'warn', ...opts.env };
  const days = fs.existsSync(SAMPLE_DAYS_DIR)
    ? fs.readdirSync(SAMPLE_DAYS_DIR).filter((f) => f.endsWith('.jsonl')).map((f) => path.join(SAMPLE_DAYS_DIR, f))
    : [BUNDLED_SAMPLE];
  const recent = writeRecentPapers(dir, new Date());
  // One at a time: each command may create or migrate the schema. The account comes first, as on
  // a new instance (reading tests skip it and the extra papers: seconds each on a busy machine).
  const community = opts.community !== false;
  let started: Awaited<ReturnType<typeof startServer>>;
  try {
    if (community) {
      await cli(['user', 'create', EDITOR.username, '--email', EDITOR.email, '--password-stdin', '--role', 'editor', '--db', dbFile], env, `${EDITOR.password}\n`);
    }
    await cli(['import', '--quiet', '--db', dbFile, ...days], env);
    if (community) await cli(['import', '--quiet', '--no-feature', '--db', dbFile, recent.file], env);
    started = await startServer(['--db', dbFile, '--no-sample'], { ...env, HOST: '127.0.0.1' });
  } catch (err) {
    // A failed setup has no stop() to call: leave no database behind.
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const child: ChildProcess = started.child;
  // 127.0.0.1 rather than localhost: the server listens on IPv4 only.
  const url = started.url.replace('localhost', '127.0.0.1');
  return {
    url,
    dbFile,
    unfeatured: community ? recent.papers : [],
    output: started.output,
    stop: async () => {
      child.kill('SIGTERM');
      await waitForExit(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Why the browser tests cannot run on this machine, or false when they can. A developer without
 * Chromium gets skipped tests and the command that fixes it; in CI a missing browser is a failure.
 */
export function browserUnavailable(): string | false {
  if (fs.existsSync(CHROMIUM_PATH)) return false;
  if (process.env.CI) throw new Error(`${CHROMIUM_PATH} is missing: .ci/run installs Debian's chromium`);
  return `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`;
}

export interface Browser {
  context: BrowserContext;
  close: () => Promise<void>;
}

/** Chromium with a fresh profile (no cookies or cache from another run). */
export async function launchBrowser(opts: { javaScriptEnabled?: boolean } = {}): Promise<Browser> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    javaScriptEnabled: opts.javaScriptEnabled ?? true,
    viewport: { width: 1280, height: 900 },
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * A page that fails the test on any script error or failed same-origin request: a broken page
 * that still shows the expected text would otherwise pass.
 */
export async function newPage(b: Browser, base: string): Promise<{ page: Page; problems: string[] }> {
  const page = await b.context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`script error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/status of 4\d\d/.test(msg.text())) problems.push(`console error: ${msg.text()}`);
  });
  page.on('requestfailed', (req) => {
    if (req.url().startsWith(base)) problems.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`);
  });
  return { page, problems };
}

/** A marker on `window`: it survives in-page updates and disappears on any navigation or reload. */
export async function markWindow(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { __e2eMarker: number }).__e2eMarker = 42;
  });
}

export async function windowMarked(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { __e2eMarker?: number }).__e2eMarker === 42);
}

export function resultPath(name: string): string {
  fs.mkdirSync(path.join(RESULTS_DIR, 'screenshots'), { recursive: true });
  return path.join(RESULTS_DIR, 'screenshots', name);
}

/** Signs up through the form; returns the username. JavaScript may be on or off. */
export async function signUp(page: Page, base: string, username: string, password = 'a long enough passphrase'): Promise<string> {
  await page.goto(`${base}/signup`);
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Email', { exact: true }).fill(`${username}@example.org`);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/signup')), page.getByRole('button', { name: 'Sign up' }).click()]);
  return username;
}

export async function logIn(page: Page, base: string, login: string, password: string, next = '/'): Promise<void> {
  await page.goto(`${base}/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Username or email').fill(login);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.getByRole('button', { name: 'Log in' }).click()]);
}

/** Properties of a rendered SVG picture, as the browser lays it out. */
export interface PictureFacts {
  role: string | null;
  label: string;
  width: number;
  height: number;
  viewBox: string | null;
  marks: number;
}

export async function pictureFacts(page: Page, selector: string): Promise<PictureFacts> {
  const svg = page.locator(selector);
  await svg.waitFor();
  const box = await svg.boundingBox();
  const facts = await svg.evaluate((el) => {
    const labelledBy = el.getAttribute('aria-labelledby');
    const title = labelledBy ? document.getElementById(labelledBy)?.textContent : el.querySelector('title')?.textContent;
    return {
      role: el.getAttribute('role'),
      label: (el.getAttribute('aria-label') ?? title ?? '').trim(),
      viewBox: el.getAttribute('viewBox'),
      // Drawn marks: bars, lines and areas with a real size.
      marks: [...el.querySelectorAll('rect, path, circle, polyline')].filter((m) => {
        const b = (m as SVGGraphicsElement).getBBox();
        return b.width > 0 || b.height > 0;
      }).length,
    };
  });
  return { ...facts, width: box?.width ?? 0, height: box?.height ?? 0 };
}

const AXE_SOURCE = fs.readFileSync(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');

export interface AxeProblem {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core (WCAG 2.x A and AA rules) on the page as it is now; returns the serious and
 * critical violations, each with the selectors of the offending elements.
 */
export async function axeProblems(page: Page, opts: { colorsOnly?: boolean } = {}): Promise<AxeProblem[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE_SOURCE });
  // A second colour scheme changes colours only: checking just the colour rules saves seconds.
  const runOnly = opts.colorsOnly
    ? { type: 'rule', values: ['color-contrast', 'link-in-text-block'] }
    : { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] };
  const results = await page.evaluate(async (only) => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    // The cards of a feed are one component 50 times over: the first five stand for the rest and
    // keep a run at about a second instead of seven.
    return axe.run({ exclude: [['ol.cards > li:nth-child(n+6)']] }, { runOnly: only, resultTypes: ['violations'] });
  }, runOnly);
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
}
