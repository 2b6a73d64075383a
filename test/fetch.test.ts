/**
 * arXiv fetching over real HTTP on loopback: a replay server serves recorded arXiv responses
 * (including a recorded 503 Retry-After), so politeness, retries and parsing are tested end to end
 * without the network. Clocks and sleeps are injected so waits are instant and checkable.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import SQLite from 'better-sqlite3';
import { PassThrough } from 'node:stream';
import { ReplayServer, routeKey } from './support/replay-server.ts';
import { main } from '../src/cli/main.ts';
import { harvestOaiPmh, setForCategory, type HarvestOptions, type HarvestPage } from '../src/ingest/fetch/oai-pmh.ts';
import { fetchArxivByIds } from '../src/ingest/fetch/arxiv-api.ts';
import { DEFAULT_USER_AGENT, FetchError, parseRetryAfter } from '../src/ingest/fetch/http.ts';

const FIXTURES = '/work/shared/data/fixtures';
const OAI = path.join(FIXTURES, 'oai-pmh');
const LIST_RECORDS = path.join(OAI, 'oaipmh-listrecords---should-list-identifiers-from-arxiv.json');
const LIST_RECORDS_PATH = '/oai2?metadataPrefix=arXiv&from=2015-01-01&until=2015-01-03&verb=ListRecords';
const PAGE_XML = fs.readFileSync(path.join(OAI, 'oaipmh-listrecords---should-list-identifiers-from-arxiv.1.status200.xml'), 'utf8');
const ATOM_XML = fs.readFileSync(path.join(FIXTURES, 'arxiv-api', 'api-query-all-GAN-2024-01-22.xml'), 'utf8');
/** Entry ids of the Atom fixture, in order, without versions. */
const ATOM_IDS = [...ATOM_XML.matchAll(/<id>http:\/\/arxiv\.org\/abs\/([^<]+?)v\d+<\/id>/g)].map((m) => m[1]);
const ROOT = path.resolve(import.meta.dirname, '..');
const XML = { 'Content-Type': 'text/xml' };
const ok = (body: string) => ({ status: 200, headers: XML, body });
const ATOM = { status: 200, headers: { 'Content-Type': 'application/atom+xml' }, body: ATOM_XML };

/** A fake clock whose sleep advances it and records every requested wait. */
function fakeTime(start = Date.parse('2025-01-01T00:00:00Z')) {
  const t = { now: start, sleeps: [] as number[] };
  return {
    t,
    now: () => t.now,
    sleep: async (ms: number) => {
      t.sleeps.push(ms);
      t.now += ms;
    },
  };
}

async function collect(opts: HarvestOptions): Promise<HarvestPage[]> {
  const pages: HarvestPage[] = [];
  for await (const p of harvestOaiPmh(opts)) pages.push(p);
  return pages;
}

function ids(pages: HarvestPage[]): string[] {
  return pages.flatMap((p) => p.items.flatMap((i) => (i.ok ? [i.record.id] : [])));
}

/** The fixture page with a resumption token added (OAI-PMH puts it last inside ListRecords). */
function withToken(xml: string, token: string, size: number, cursor: number): string {
  const el = token ? `<resumptionToken completeListSize="${size}" cursor="${cursor}">${token}</resumptionToken>` : `<resumptionToken completeListSize="${size}" cursor="${cursor}"/>`;
  return xml.replace('</ListRecords>', `${el}\n</ListRecords>`);
}

/** A page built from the fixture's real 1412.8544 record, renumbered so it is a distinct paper. */
function pageWithRecord(newId: string, resumption: string): string {
  const record = /<record>[\s\S]*?<\/record>/.exec(PAGE_XML)![0].replaceAll('1412.8544', newId);
  return PAGE_XML.replace(/<ListRecords>[\s\S]*<\/ListRecords>/, `<ListRecords>\n${record}\n${resumption}\n</ListRecords>`);
}

function oaiError(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2025-01-01T00:00:00Z</responseDate>
<request verb="ListRecords">http://export.arxiv.org/oai2</request><error code="${code}">${message}</error></OAI-PMH>`;
}

async function closedPortUrl(): Promise<string> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}/oai2`;
}

let server: ReplayServer;
before(async () => {
  server = await ReplayServer.start({ recordings: [LIST_RECORDS] });
});
after(async () => {
  await server.close();
});
beforeEach(() => {
  server.reset();
  server.setClock(Date.now);
});

describe('OAI-PMH harvesting', () => {
  test('waits out the recorded 503 Retry-After, then reads the page, sending a User-Agent with a contact', async () => {
    const time = fakeTime();
    const pages = await collect({ baseUrl: `${server.url}/oai2`, from: '2015-01-01', until: '2015-01-03', sleep: time.sleep, now: time.now });
    assert.deepEqual(server.requests.map((r) => r.status), [503, 200]);
    // Our parameter order differs from the recording's; the same request either way.
    assert.equal(routeKey('GET', server.requests[0].path), routeKey('GET', LIST_RECORDS_PATH));
    assert.deepEqual(time.t.sleeps, [10_000]);
    assert.equal(pages.length, 1);
    assert.equal(pages[0].items.length, 2);
    assert.deepEqual(ids(pages), ['1412.8544', 'hep-th/9504118']);
    assert.equal(pages[0].resumptionToken, null);
    const first = pages[0].items[0];
    assert.ok(first.ok && first.record.title.startsWith('A Kochen-Specker system'));
    for (const r of server.requests) {
      assert.equal(r.headers['user-agent'], DEFAULT_USER_AGENT);
      assert.match(String(r.headers['user-agent']), /mailto:/);
    }
  });

  test('a configured User-Agent is sent instead', async () => {
    const time = fakeTime();
    await collect({ baseUrl: `${server.url}/oai2`, from: '2015-01-01', until: '2015-01-03', userAgent: 'Mirror/1 (mailto:ops@example.org)', sleep: time.sleep, now: time.now });
    assert.equal(server.requests.at(-1)?.headers['user-agent'], 'Mirror/1 (mailto:ops@example.org)');
  });

  test('filters records client-side by category or archive', async () => {
    const base = { baseUrl: `${server.url}/oai2`, from: '2015-01-01', until: '2015-01-03', set: null, minIntervalMs: 0, maxRetryAfterMs: 0 };
    assert.deepEqual(ids(await collect({ ...base, category: 'cs.DM' })), ['1412.8544']);
    assert.deepEqual(ids(await collect({ ...base, category: 'hep-th' })), ['hep-th/9504118']);
    assert.deepEqual(ids(await collect({ ...base, category: 'cs.LG' })), []);
    assert.equal(setForCategory('cs.LG'), 'cs');
    assert.equal(setForCategory('hep-th'), 'physics:hep-th');
    assert.equal(setForCategory('math.AG'), 'math');
  });

  test('asks for the set of the category', async () => {
    server.route('GET', '/oai2?verb=ListRecords&metadataPrefix=arXiv&set=cs&from=2015-01-01', ok(PAGE_XML));
    const pages = await collect({ baseUrl: `${server.url}/oai2`, category: 'cs.DM', from: '2015-01-01', minIntervalMs: 0 });
    assert.deepEqual(ids(pages), ['1412.8544']);
    assert.equal(pages[0].harvested, 2);
  });

  test('follows resumption tokens; a resumption request carries only verb and token', async () => {
    const token = '6960524|1001';
    server.route('GET', '/oai2?verb=ListRecords&metadataPrefix=arXiv&from=2020-01-01&until=2020-01-02', ok(withToken(PAGE_XML, token, 4, 0)));
    server.route('GET', `/oai2?verb=ListRecords&resumptionToken=${encodeURIComponent(token)}`, ok(pageWithRecord('1412.9999', '<resumptionToken completeListSize="4" cursor="2">tok-3</resumptionToken>')));
    server.route('GET', '/oai2?verb=ListRecords&resumptionToken=tok-3', ok(pageWithRecord('1412.9998', '<resumptionToken completeListSize="4" cursor="3"/>')));
    const time = fakeTime();
    const pages = await collect({ baseUrl: `${server.url}/oai2`, from: '2020-01-01', until: '2020-01-02', sleep: time.sleep, now: time.now });
    assert.equal(server.requests.length, 3);
    assert.deepEqual(pages.map((p) => [p.page, p.resumptionToken, p.completeListSize]), [[1, token, 4], [2, 'tok-3', 4], [3, null, 4]]);
    assert.deepEqual(ids(pages), ['1412.8544', 'hep-th/9504118', '1412.9999', '1412.9998']);
    for (const r of server.requests.slice(1)) {
      const params = new URL(r.path, server.url).searchParams;
      assert.deepEqual([...params.keys()].sort(), ['resumptionToken', 'verb']);
    }
    assert.equal(new URL(server.requests[1].path, server.url).searchParams.get('resumptionToken'), token);
  });

  test('keeps at least minIntervalMs between request starts', async () => {
    server.route('GET', '/oai2?verb=ListRecords&metadataPrefix=arXiv&from=2020-02-01', ok(withToken(PAGE_XML, 'a', 6, 0)));
    server.route('GET', '/oai2?verb=ListRecords&resumptionToken=a', ok(withToken(PAGE_XML, 'b', 6, 2)));
    server.route('GET', '/oai2?verb=ListRecords&resumptionToken=b', ok(withToken(PAGE_XML, '', 6, 4)));
    const time = fakeTime();
    server.setClock(time.now);
    const pages: HarvestPage[] = [];
    for await (const p of harvestOaiPmh({ baseUrl: `${server.url}/oai2`, from: '2020-02-01', minIntervalMs: 3000, sleep: time.sleep, now: time.now })) {
      pages.push(p);
      time.t.now += 1200; // the consumer spends 1.2 s writing the page
    }
    assert.equal(pages.length, 3);
    const starts = server.requests.map((r) => r.at);
    for (let i = 1; i < starts.length; i++) assert.ok(starts[i] - starts[i - 1] >= 3000, `gap ${starts[i] - starts[i - 1]} ms`);
    assert.deepEqual(time.t.sleeps, [1800, 1800]);
  });

  test('spacing also holds on the real clock', async () => {
    server.route('GET', '/oai2?verb=ListRecords&metadataPrefix=arXiv&from=2020-03-01', ok(withToken(PAGE_XML, 'r1', 6, 0)));
    server.route('GET', '/oai2?verb=ListRecords&resumptionToken=r1', ok(withToken(PAGE_XML, 'r2', 6, 2)));
    server.route('GET', '/oai2?verb=ListRecords&resumptionToken=r2', ok(withToken(PAGE_XML, '', 6, 4)));
    // Measured end to end rather than by arrival times at the server: the first request pays for
    // the TCP connect, so server-side gaps understate the client-side spacing.
    const started = performance.now();
    await collect({ baseUrl: `${server.url}/oai2`, from: '2020-03-01', minIntervalMs: 150 });
    assert.equal(server.requests.length, 3);
    assert.ok(performance.now() - started >= 300);
  });

  test('noRecordsMatch ends the harvest with zero records', async () => {
    server.route('GET', '/oai2?verb=ListRecords&metadataPrefix=arXiv&from=2020-04-04', ok(oaiError('noRecordsMatch', 'No records match')));
    const pages = await collect({ baseUrl: `${server.url}/oai2`, from: '2020-04-04', minIntervalMs: 0 });
    assert.equal(ids(pages).length, 0);
    assert.equal(server.requests.length, 1);
  });

  test('other OAI errors throw a FetchError with code and message, without retrying', async () => {
    server.route('GET', '/oai2?verb=ListRecords&metadataPrefix=arXiv&from=2020-04-05', { status: 400, headers: XML, body: oaiError('badArgument', 'Illegal set value') });
    await assert.rejects(collect({ baseUrl: `${server.url}/oai2`, from: '2020-04-05', minIntervalMs: 0 }), (err: unknown) => {
      assert.ok(err instanceof FetchError);
      assert.equal(err.code, 'badArgument');
      assert.match(err.message, /badArgument.*Illegal set value/);
      return true;
    });
    assert.equal(server.requests.length, 1);
  });

  test('a 404 that is not OAI-PMH fails at once, naming the URL', async () => {
    await assert.rejects(collect({ baseUrl: `${server.url}/nowhere`, minIntervalMs: 0, from: '2020-01-01' }), (err: unknown) => {
      assert.ok(err instanceof FetchError);
      assert.equal(err.status, 404);
      assert.match(err.message, /\/nowhere\?.*HTTP 404/);
      return true;
    });
    assert.equal(server.requests.length, 1);
  });
});

describe('retries and backoff', () => {
  const page = ok(PAGE_XML);
  const boom = { status: 500, headers: { 'Content-Type': 'text/plain' }, body: 'internal error' };

  test('500 twice then 200: retries with exponential backoff and jitter', async () => {
    server.route('GET', '/oai2?verb=ListRecords&metadataPrefix=arXiv&from=2020-05-01', [boom, boom, page]);
    const time = fakeTime();
    const retries: number[] = [];
    const pages = await collect({ baseUrl: `${server.url}/oai2`, from: '2020-05-01', sleep: time.sleep, now: time.now, random: () => 1, onRetry: (r) => retries.push(r.status ?? 0) });
    assert.deepEqual(server.requests.map((r) => r.status), [500, 500, 200]);
    assert.deepEqual(time.t.sleeps, [6250, 12_500]); // 5 s and 10 s, plus the maximum 25% jitter
    assert.deepEqual(retries, [500, 500]);
    assert.equal(ids(pages).length, 2);
  });

  test('persistent 500 → FetchError after maxRetries', async () => {
    server.route('GET', '/oai2?verb=ListRecords&metadataPrefix=arXiv&from=2020-05-02', boom);
    const time = fakeTime();
    await assert.rejects(collect({ baseUrl: `${server.url}/oai2`, from: '2020-05-02', maxRetries: 3, sleep: time.sleep, now: time.now, random: () => 0 }), (err: unknown) => {
      assert.ok(err instanceof FetchError);
      assert.equal(err.status, 500);
      assert.match(err.message, new RegExp(`${server.url}/oai2\\?.*after 4 attempt\\(s\\): HTTP 500`));
      return true;
    });
    assert.equal(server.requests.length, 4);
    assert.deepEqual(time.t.sleeps, [5000, 10_000, 20_000]);
  });

  test('connection refused → FetchError naming the URL', async () => {
    const url = await closedPortUrl();
    const time = fakeTime();
    await assert.rejects(collect({ baseUrl: url, from: '2020-05-03', maxRetries: 2, sleep: time.sleep, now: time.now }), (err: unknown) => {
      assert.ok(err instanceof FetchError);
      assert.equal(err.status, null);
      assert.match(err.message, /ECONNREFUSED/);
      assert.ok(err.message.includes(url));
      return true;
    });
    assert.equal(time.t.sleeps.length, 2);
  });

  test('a request that hangs times out and is retried', async () => {
    let hits = 0;
    const hang = http.createServer((req, res) => {
      if (++hits === 1) return; // never answer the first request
      res.writeHead(200, XML).end(PAGE_XML);
    });
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', () => r()));
    try {
      const time = fakeTime();
      const url = `http://127.0.0.1:${(hang.address() as AddressInfo).port}/oai2`;
      const errors: (string | null)[] = [];
      const pages = await collect({ baseUrl: url, from: '2020-05-04', timeoutMs: 100, sleep: time.sleep, now: time.now, onRetry: (r) => errors.push(r.error) });
      assert.deepEqual(errors, ['request timed out']);
      assert.equal(ids(pages).length, 2);
    } finally {
      hang.closeAllConnections();
      await new Promise<void>((r) => hang.close(() => r()));
    }
  });

  test('Retry-After as an HTTP date, and capped by maxRetryAfterMs', async () => {
    const time = fakeTime();
    const later = new Date(time.t.now + 30_000).toUTCString();
    server.route('GET', '/oai2?verb=ListRecords&metadataPrefix=arXiv&from=2020-05-05', [{ status: 503, headers: { 'Retry-After': later }, body: '' }, page]);
    await collect({ baseUrl: `${server.url}/oai2`, from: '2020-05-05', sleep: time.sleep, now: time.now });
    assert.deepEqual(time.t.sleeps, [30_000]);

    const time2 = fakeTime();
    server.route('GET', '/oai2?verb=ListRecords&metadataPrefix=arXiv&from=2020-05-06', [{ status: 503, headers: { 'Retry-After': '86400' }, body: '' }, page]);
    await collect({ baseUrl: `${server.url}/oai2`, from: '2020-05-06', maxRetryAfterMs: 600_000, sleep: time2.sleep, now: time2.now });
    assert.deepEqual(time2.t.sleeps, [600_000]);

    assert.equal(parseRetryAfter('120', 0), 120_000);
    assert.equal(parseRetryAfter('soon', 0), null);
    assert.equal(parseRetryAfter(null, 0), null);
  });

  test('repeated 503 Retry-After does not use up maxRetries', async () => {
    const wait = { status: 503, headers: { 'Retry-After': '10' }, body: '' };
    server.route('GET', '/oai2?verb=ListRecords&metadataPrefix=arXiv&from=2020-05-07', [wait, wait, wait, wait, page]);
    const time = fakeTime();
    const pages = await collect({ baseUrl: `${server.url}/oai2`, from: '2020-05-07', maxRetries: 1, sleep: time.sleep, now: time.now });
    assert.deepEqual(time.t.sleeps, [10_000, 10_000, 10_000, 10_000]);
    assert.equal(ids(pages).length, 2);
  });
});

describe('arXiv API by id', () => {
  test('fetches the requested ids (bare, versioned, URL) from the Atom feed', async () => {
    assert.equal(ATOM_IDS.length, 10);
    server.route('GET', `/api/query?id_list=${ATOM_IDS.join(',')}&max_results=10`, ATOM);
    const asked = ATOM_IDS.map((id, i) => (i === 0 ? `https://arxiv.org/abs/${id}v1` : i === 1 ? `${id}v1` : id));
    const items = await fetchArxivByIds(asked, { baseUrl: `${server.url}/api/query`, minIntervalMs: 0 });
    assert.equal(items.length, 10);
    assert.deepEqual(items.map((i) => (i.ok ? i.record.id : null)).sort(), [...ATOM_IDS].sort());
    const gan = items.find((i) => i.ok && i.record.id === '2111.13282');
    assert.ok(gan?.ok && gan.record.title.startsWith('Generative Adversarial Networks and Adversarial Autoencoders'));
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0].headers['user-agent'], DEFAULT_USER_AGENT);
  });

  test('an id missing from the response is reported as not found', async () => {
    server.route('GET', `/api/query?id_list=${ATOM_IDS[0]},2401.99999&max_results=2`, ATOM);
    const items = await fetchArxivByIds([ATOM_IDS[0], '2401.99999'], { baseUrl: `${server.url}/api/query`, minIntervalMs: 0 });
    assert.deepEqual(items.filter((i) => i.ok).map((i) => i.ok && i.record.id), [ATOM_IDS[0]]);
    assert.deepEqual(items.filter((i) => !i.ok).map((i) => !i.ok && i.reason), ['2401.99999: not found on arXiv']);
  });
});

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/dailypapers.js', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), SECRET: 'test-secret', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The same CLI in this process: for the many cheap usage checks. */
async function runInProcess(args: string[], env: Record<string, string>): Promise<CliResult> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d) => (stdout += d));
  err.on('data', (d) => (stderr += d));
  const code = await main(args, { stdout: out, stderr: err, env, cwd: ROOT });
  return { code, stdout, stderr };
}

describe('dailypapers fetch arxiv (CLI)', () => {
  let dir: string;
  let dbFile: string;
  let env: Record<string, string>;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-fetch-'));
    dbFile = path.join(dir, 'papers.sqlite');
    env = {
      ARXIV_OAI_URL: `${server.url}/oai2`,
      ARXIV_API_URL: `${server.url}/api/query`,
      ARXIV_MIN_INTERVAL_MS: '0',
      ARXIV_MAX_RETRY_AFTER_MS: '50',
    };
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const paperIds = () => {
    const db = new SQLite(dbFile, { readonly: true });
    try {
      return (db.prepare('SELECT id FROM papers ORDER BY id').all() as { id: string }[]).map((r) => r.id);
    } finally {
      db.close();
    }
  };

  test('harvests a date range into the database (through the recorded 503)', async () => {
    const r = await runCli(['fetch', 'arxiv', '--from', '2015-01-01', '--until', '2015-01-03', '--db', dbFile], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^fetched 2 records: inserted 2, updated 0, unchanged 0, rejected 0$/m);
    assert.match(r.stderr, /page 1: 2 records \(total 2\)/);
    assert.match(r.stderr, /Retry-After/);
    assert.deepEqual(server.requests.map((q) => q.status), [503, 200]);
    assert.deepEqual(paperIds(), ['1412.8544', 'hep-th/9504118']);

    server.reset();
    const again = await runCli(['fetch', 'arxiv', '--from', '2015-01-01', '--until', '2015-01-03', '--db', dbFile], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /fetched 2 records: inserted 0, /);
    assert.deepEqual(paperIds(), ['1412.8544', 'hep-th/9504118']);
  });

  test('fetches papers by id', async () => {
    const three = ATOM_IDS.slice(0, 3);
    server.route('GET', `/api/query?id_list=${three.join(',')}&max_results=3`, ATOM);
    const r = await runCli(['fetch', 'arxiv', '--id', three[0], '--id', `https://arxiv.org/abs/${three[1]}v1`, '--id', three[2], '--db', dbFile], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /fetched 3 records: inserted 3, updated 0, unchanged 0, rejected 0/);
    for (const id of three) assert.ok(paperIds().includes(id), id);
  });

  test('an unknown id exits 3 and is named', async () => {
    server.route('GET', `/api/query?id_list=${ATOM_IDS[4]},2401.99999&max_results=2`, ATOM);
    const r = await runCli(['fetch', 'arxiv', '--id', `${ATOM_IDS[4]},2401.99999`, '--db', dbFile], env);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /2401\.99999: not found on arXiv/);
    assert.match(r.stdout, /fetched 2 records: .*rejected 1/);
  });

  test('an OAI error exits 4 with the message', async () => {
    server.route('GET', '/oai2?verb=ListRecords&metadataPrefix=arXiv&from=2020-06-01', ok(oaiError('badArgument', 'Illegal date')));
    const r = await runCli(['fetch', 'arxiv', '--from', '2020-06-01', '--db', dbFile], env);
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /badArgument.*Illegal date/);
  });

  test('usage errors exit 2 and name the culprit', async () => {
    const bad = await runCli(['fetch', 'arxiv', '--id', 'foo', '--db', dbFile], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /"foo"/);
    assert.equal(server.requests.length, 0);
  });

  test('more usage errors (in-process, to spare spawns)', async () => {
    const cases: [string[], RegExp][] = [
      [['fetch', 'arxiv', '--from', '2015-02-30'], /--from.*2015-02-30/],
      [['fetch', 'arxiv', '--until', 'yesterday'], /--until/],
      [['fetch', 'arxiv', '--from', '2015-01-05', '--until', '2015-01-01'], /after --until/],
      [['fetch', 'arxiv', '--category', 'cs LG'], /--category/],
      [['fetch', 'arxiv', '--frmo', '2015-01-01'], /--frmo/],
      [['fetch', 'arxiv', '--id', '2503.11677', '--category', 'cs.LG'], /--category cannot be combined with --id/],
      [['fetch', 'arxiv', '--id', '1412.8544,hep-th/9504118,nope'], /"nope"/],
      [['fetch', 'biorxiv'], /unknown source "biorxiv"/],
      [['fetch'], /fetch arxiv/],
    ];
    for (const [args, message] of cases) {
      const r = await runInProcess(args, { ...env, ARXIV_MIN_INTERVAL_MS: '0' });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    server.route('GET', '/oai2?verb=ListRecords&metadataPrefix=arXiv&from=2014-12-27&until=2015-01-03', ok(oaiError('noRecordsMatch', 'none')));
    const week = await runInProcess(['fetch', 'arxiv', '--until', '2015-01-03', '--db', dbFile], env);
    assert.equal(week.code, 0, week.stderr); // --from defaults to a week before --until
    assert.match(week.stdout, /fetched 0 records/);
    server.reset();
    const env2 = await runInProcess(['fetch', 'arxiv', '--db', dbFile], { ...env, ARXIV_MIN_INTERVAL_MS: 'fast' });
    assert.equal(env2.code, 2);
    assert.match(env2.stderr, /ARXIV_MIN_INTERVAL_MS/);
    assert.equal(server.requests.length, 0);
  });

  test('--help prints usage', async () => {
    const r = await runCli(['fetch', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /dailypapers fetch arxiv/);
    assert.match(r.stdout, /ARXIV_MAX_RETRY_AFTER_MS/);
  });
});
