/**
 * A loopback HTTP server that replays recorded arXiv interactions (nock-style recordings:
 * `[{scope, method, path, body, status, response, rawHeaders}]`) so fetch code is tested over real
 * HTTP without touching the network. Interactions for the same method + path are served in order
 * (a recorded 503 then 200 replays as exactly that); once exhausted the last one repeats.
 * Every request is logged so tests can assert politeness (User-Agent, spacing, count).
 */
import fs from 'node:fs';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recording {
  scope?: string;
  method: string;
  path: string;
  body?: unknown;
  status: number;
  response: unknown;
  /** Flat `[name, value, name, value, ...]` as nock records it, or an object. */
  rawHeaders?: string[] | Record<string, string>;
}

export interface ReplayResponse {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

export interface ReceivedRequest {
  method: string;
  /** Path with query, as sent. */
  path: string;
  headers: IncomingHttpHeaders;
  /** From the server's clock (injectable, so tests with a fake clock can check spacing). */
  at: number;
  /** Status served. */
  status: number;
}

type Handler = (req: ReceivedRequest) => ReplayResponse;

interface Route {
  responses: ReplayResponse[] | Handler;
  served: number;
}

/** Headers that describe the recorded connection, not the content; node:http recomputes them. */
const HOP_HEADERS = new Set(['content-length', 'connection', 'transfer-encoding', 'keep-alive']);

/** `METHOD pathname?sorted-params`: recordings and clients may order query parameters differently. */
export function routeKey(method: string, pathWithQuery: string): string {
  const url = new URL(pathWithQuery, 'http://replay.invalid');
  const params = [...url.searchParams.entries()].sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : av > bv ? 1 : 0) : a < b ? -1 : 1));
  const query = params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  return `${method.toUpperCase()} ${url.pathname}${query ? '?' + query : ''}`;
}

function headersFromRaw(raw: Recording['rawHeaders']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw) return out;
  const pairs: [string, string][] = Array.isArray(raw)
    ? Array.from({ length: Math.floor(raw.length / 2) }, (_, i) => [raw[2 * i], raw[2 * i + 1]] as [string, string])
    : Object.entries(raw);
  for (const [name, value] of pairs) {
    if (!HOP_HEADERS.has(name.toLowerCase())) out[name] = value;
  }
  return out;
}

export function recordingToResponse(r: Recording): ReplayResponse {
  const body = typeof r.response === 'string' ? r.response : r.response == null ? '' : JSON.stringify(r.response);
  return { status: r.status, headers: headersFromRaw(r.rawHeaders), body };
}

export function loadRecordings(file: string): Recording[] {
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  if (!Array.isArray(parsed)) throw new Error(`${file}: expected an array of recordings`);
  return parsed as Recording[];
}

export class ReplayServer {
  readonly requests: ReceivedRequest[] = [];
  private readonly routes = new Map<string, Route>();
  private server: http.Server;
  private clock: () => number;
  /** `http://127.0.0.1:<port>`, without trailing slash. */
  url = '';

  private constructor(clock: () => number) {
    this.clock = clock;
    this.server = http.createServer((req, res) => this.handle(req, res));
  }

  static async start(opts: { recordings?: string[]; clock?: () => number } = {}): Promise<ReplayServer> {
    const s = new ReplayServer(opts.clock ?? Date.now);
    for (const file of opts.recordings ?? []) s.addRecordings(loadRecordings(file));
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject);
      s.server.listen(0, '127.0.0.1', () => resolve());
    });
    s.url = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}`;
    return s;
  }

  /** Appends recorded interactions; those sharing a key are served in the order given. */
  addRecordings(recordings: Recording[]): this {
    for (const r of recordings) {
      const key = routeKey(r.method, r.path);
      const route = this.routes.get(key);
      if (route && Array.isArray(route.responses)) route.responses.push(recordingToResponse(r));
      else this.routes.set(key, { responses: [recordingToResponse(r)], served: 0 });
    }
    return this;
  }

  /** A synthetic route: fixed responses served in order (last repeats), or a handler. Replaces any existing one. */
  route(method: string, pathWithQuery: string, responses: ReplayResponse | ReplayResponse[] | Handler): this {
    const list = typeof responses === 'function' ? responses : Array.isArray(responses) ? [...responses] : [responses];
    this.routes.set(routeKey(method, pathWithQuery), { responses: list, served: 0 });
    return this;
  }

  setClock(clock: () => number): void {
    this.clock = clock;
  }

  /** Forgets the request log and rewinds every route to its first response. */
  reset(): void {
    this.requests.length = 0;
    for (const r of this.routes.values()) r.served = 0;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const received: ReceivedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, at: this.clock(), status: 404 };
    this.requests.push(received);
    // Drain any request body so keep-alive connections stay usable.
    req.resume();
    req.on('end', () => {
      const route = this.routes.get(routeKey(received.method, received.path));
      let reply: ReplayResponse;
      if (!route) {
        reply = { status: 404, headers: { 'Content-Type': 'text/plain' }, body: `no recording for ${received.method} ${received.path}\n` };
      } else if (typeof route.responses === 'function') {
        reply = route.responses(received);
        route.served++;
      } else {
        reply = route.responses[Math.min(route.served, route.responses.length - 1)];
        route.served++;
      }
      received.status = reply.status;
      const body = Buffer.from(reply.body, 'utf8');
      res.writeHead(reply.status, { ...(reply.headers ?? {}), 'Content-Length': String(body.length) });
      res.end(body);
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      // fetch() keeps connections alive; without this close() waits for their idle timeout.
      this.server.closeAllConnections();
    });
  }
}
