/**
 * HTTP load measurement, shared by `npm run bench:http` (bench/http.ts) and the short load test
 * (test/load.test.ts): start `dailypapers serve` as a real child process, a static-response baseline
 * server beside it, and measure routes with autocannon's programmatic API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import autocannon from 'autocannon';

// autocannon appends every body chunk to a string (`req.body += chunk`), only for its
// expectBody/verifyBody options, which these benchmarks do not use. That is a UTF-8 decode of every
// response: for a gzipped 42 KB feed page it cost autocannon ~1 ms per response, 5× the server's
// whole answer, so the client (sharing the 2 cores) was what got measured. Dropping the bodies
// keeps byte and latency accounting (done from the parser's events) unchanged.
const PipelinedRequestsQueue = createRequire(import.meta.url)('autocannon/lib/pipelinedRequestsQueue.js') as { prototype: { addBody(data: Buffer): void } };
PipelinedRequestsQueue.prototype.addBody = () => {};

export const ROOT = path.resolve(import.meta.dirname, '..');
export const BIN = path.join(ROOT, 'bin/dailypapers.js');
export const SHARED = path.resolve(ROOT, '../shared/data');

export interface Started {
  child: ChildProcess;
  url: string;
  stop(): Promise<number | null>;
}

/** Spawns `node <args>` and resolves once it prints `listening on http://localhost:<port>`. */
export function startListening(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`did not start within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening:\n${out}`));
    };
    child.on('exit', onExit);
    child.stderr!.on('data', (d) => (out += d));
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/localhost:\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve({
        child,
        url: m[1]!.replace('localhost', '127.0.0.1'),
        stop: () =>
          new Promise((res) => {
            if (child.exitCode !== null) return res(child.exitCode);
            child.once('exit', (code) => res(code));
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

/** `dailypapers serve` on a free port over `db`. */
export function startServe(db: string, env: NodeJS.ProcessEnv = {}): Promise<Started> {
  return startListening([BIN, 'serve', '--port', '0', '--db', db, '--no-sample'], { HOST: '127.0.0.1', OFFLINE: '1', ...env });
}

/**
 * The baseline: the cheapest response Node can give (a fixed string from node:http, no framework,
 * no database), in its own process like the real server, so the ratio shows what the app costs.
 * Given a file (and its headers), it serves those bytes instead: a static-file server for the same
 * page, whose cost is mostly moving the body through the socket.
 */
export function startStaticBaseline(file?: { path: string; headers: Record<string, string> }): Promise<Started> {
  const code = `
    const body = ${file ? `require('node:fs').readFileSync(${JSON.stringify(file.path)})` : `Buffer.from('ok\\n')`};
    const headers = { 'content-type': 'text/plain', ...${JSON.stringify(file?.headers ?? {})}, 'content-length': body.length };
    const s = require('node:http').createServer((req, res) => res.writeHead(200, headers).end(body));
    s.listen(0, '127.0.0.1', () => console.log('listening on http://localhost:' + s.address().port));
    process.on('SIGTERM', () => s.close(() => process.exit(0)));`;
  return startListening(['-e', code]);
}

/** One GET with the body as sent (no decompression, unlike fetch). */
export function rawGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers, agent: false, timeout: 600_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

export interface Measured {
  name: string;
  path: string;
  rps: number;
  p50: number;
  p99: number;
  /** Connection errors + timeouts + non-2xx responses. */
  errors: number;
  requests: number;
  /** Bytes read per response, headers included. */
  bytesPerReq: number;
  /**
   * The server's own CPU time per response (user + system, from /proc), in µs: what a response costs
   * whatever else the machine is doing, where req/s also measures the load generator and neighbours.
   */
  cpuUsPerReq: number | null;
}

/** utime + stime of a process in ms (Linux), or null where /proc is not there. */
function cpuMs(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks; USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/** One autocannon run, closed-loop: each connection sends again as soon as it is answered. */
export async function measure(name: string, base: string, urlPath: string, opts: { connections: number; duration: number; headers?: Record<string, string>; pid?: number }): Promise<Measured> {
  const cpu0 = cpuMs(opts.pid);
  const r = await autocannon({ url: base + urlPath, connections: opts.connections, duration: opts.duration, headers: opts.headers ?? {} });
  const cpu1 = cpuMs(opts.pid);
  return {
    cpuUsPerReq: cpu0 !== null && cpu1 !== null && r.requests.total > 0 ? ((cpu1 - cpu0) * 1000) / r.requests.total : null,
    name,
    path: urlPath,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx,
    requests: r.requests.total,
    bytesPerReq: r.requests.total > 0 ? r.throughput.total / r.requests.total : 0,
  };
}

/**
 * Open-loop load at a steady rate: request i is due at start + i/rate whatever happened to earlier
 * ones, and its latency counts from when it was due, so a stall shows in every request it delays
 * (no coordinated omission). Up to `connections` keep-alive sockets. autocannon's own rate limit
 * is no substitute: each connection sends its quota for the second back to back at the start of
 * the second, so it measures a saturated server for the first third of every second.
 * The first seconds (a fifth of the run, at most 2 s) warm up: they open the sockets and are not
 * counted, as the closed-loop runs count from a server already answering.
 */
export async function measureSteady(name: string, base: string, urlPath: string, opts: { rate: number; connections: number; duration: number; headers?: Record<string, string>; pid?: number }): Promise<Measured> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections });
  const url = new URL(base + urlPath);
  const latencies: number[] = [];
  let errors = 0;
  let bytes = 0;
  let inFlight = 0;
  const cpu0 = cpuMs(opts.pid);
  const t0 = performance.now();
  const warmupMs = Math.min(2000, (opts.duration * 1000) / 5);
  const total = Math.round((opts.rate * (opts.duration * 1000 + warmupMs)) / 1000);
  let sent = 0;
  const send = (due: number) => {
    inFlight++;
    const req = http.get({ host: url.hostname, port: url.port, path: url.pathname + url.search, agent, headers: opts.headers ?? {} }, (res) => {
      let got = 0;
      res.on('data', (d: Buffer) => (got += d.length));
      res.on('end', () => {
        inFlight--;
        if (res.statusCode !== 200) errors++;
        if (due - t0 < warmupMs) return;
        latencies.push(performance.now() - due);
        bytes += got;
      });
    });
    req.on('error', () => {
      inFlight--;
      errors++;
    });
  };
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (sent < total && t0 + (sent * 1000) / opts.rate <= now) send(t0 + (sent++ * 1000) / opts.rate);
      if (sent < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  const deadline = performance.now() + 10_000;
  while (inFlight > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  errors += inFlight;
  const elapsed = opts.duration;
  const cpu1 = cpuMs(opts.pid);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (q: number) => (latencies.length ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]! * 10) / 10 : 0);
  return {
    cpuUsPerReq: cpu0 !== null && cpu1 !== null && latencies.length > 0 ? ((cpu1 - cpu0) * 1000) / latencies.length : null,
    name,
    path: urlPath,
    rps: latencies.length / elapsed,
    p50: pct(0.5),
    p99: pct(0.99),
    errors,
    requests: latencies.length,
    bytesPerReq: latencies.length ? bytes / latencies.length : 0,
  };
}

export function formatTable(rows: Measured[], baselineRps: number | null): string {
  const head = `${'route'.padEnd(34)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'errors'.padStart(7)} ${'KB/resp'.padStart(8)} ${'cpu µs/req'.padStart(10)}${baselineRps ? ' vs static'.padStart(10) : ''}`;
  const lines = rows.map((r) =>
    `${`${r.name} ${r.path}`.slice(0, 34).padEnd(34)} ${Math.round(r.rps).toLocaleString('en-US').padStart(9)} ${r.p50.toFixed(1).padStart(7)} ${r.p99.toFixed(1).padStart(7)} ${String(r.errors).padStart(7)} ` +
    `${(r.bytesPerReq / 1024).toFixed(1).padStart(8)} ` +
    `${(r.cpuUsPerReq === null ? '-' : Math.round(r.cpuUsPerReq).toLocaleString('en-US')).padStart(10)}` +
    (baselineRps ? `${(r.rps / baselineRps).toFixed(2).padStart(10)}` : ''),
  );
  return [head, ...lines].join('\n');
}
