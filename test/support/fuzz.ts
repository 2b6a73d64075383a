/**
 * Property-based HTTP fuzzing with fast-check. Routes are enumerated from the app itself
 * (`app.routes`), so a route added by any module is fuzzed without touching this file. Each case is
 * one request: a route (or a random path), its method (sometimes another), path parameters drawn from
 * valid values, the route's own regex or hostile strings, query parameters, a body (JSON, form,
 * multipart, raw bytes, huge, malformed) and headers, sent as one of several identities.
 *
 * The property (`checkResponse`): never a 5xx, never an exception out of the app; every 4xx under
 * /api/ is RFC 9457 problem+json whose `status` equals the HTTP status and whose `detail` is a string.
 */
import fc from 'fast-check';
import { AUTH_MODES, type AuthMode, type World } from './fuzz-world.ts';

export interface RouteTemplate {
  method: string;
  path: string;
}

export type Body =
  | { kind: 'none' }
  | { kind: 'text'; text: string; type: string | null }
  | { kind: 'bytes'; bytes: Uint8Array; type: string | null }
  | { kind: 'multipart'; fields: [string, string, boolean][] };

export interface FuzzRequest {
  route: string;
  method: string;
  url: string;
  auth: AuthMode;
  headers: Record<string, string>;
  body: Body;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/** Every concrete route the app answers, from its router (middleware-only `ALL` entries excluded). */
export function routesOf(world: World): RouteTemplate[] {
  const seen = new Map<string, RouteTemplate>();
  for (const r of world.app.routes) {
    if (!METHODS.includes(r.method)) continue;
    seen.set(`${r.method} ${r.path}`, { method: r.method, path: r.path });
  }
  return [...seen.values()];
}

// ---------------------------------------------------------------------------------------------
// Strings hostile to parsers: broken percent-encoding, traversal, NUL, astral characters, sizes.

const NASTY = ['', ' ', '%', '%zz', '%00', '%ff%fe', '..', '%2e%2e', '%2F', 'a%2Fb', '\u0000', '💥', '\u202e', 'null', 'undefined', '-1', '1e309', 'NaN',
  '0x10', '9007199254740993', '<script>alert(1)</script>', "'; drop table papers; --", '{"a":', '[]', '\r\nX-Injected: 1', 'x'.repeat(5000)];

const nastyString = fc.oneof(
  { arbitrary: fc.constantFrom(...NASTY), weight: 3 },
  { arbitrary: fc.string({ maxLength: 40 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 20 }), weight: 1 },
  { arbitrary: fc.integer().map(String), weight: 2 },
  { arbitrary: fc.double().map(String), weight: 1 },
);

function poolValue(world: World, name: string, regex: string | undefined): fc.Arbitrary<string> | null {
  const p = world.pools;
  const oldStyle = p.paperIds.filter((id) => id.includes('/'));
  switch (name) {
    case 'id':
      if (regex === '.+') return fc.constantFrom(...p.paperIds, ...p.paperIds.map((id) => `${id}.md`), 'abs/2503.20001', 'arXiv:2503.20001');
      if (regex === '[0-9]+') return fc.constantFrom('1', '2', '3', '0', '999999999999999999999');
      return fc.constantFrom(...p.paperIds.filter((id) => !id.includes('/')));
    case 'archive': return fc.constantFrom(...oldStyle.map((id) => id.split('/')[0]!));
    case 'num': return fc.constantFrom(...oldStyle.map((id) => id.split('/')[1]!), '9310227v2');
    case 'cid': return fc.constantFrom(...p.commentIds.map(String));
    case 'username': return fc.constantFrom(...p.usernames);
    case 'day': return fc.constantFrom(...p.days);
    case 'week': return fc.constantFrom(...p.weeks);
    case 'month': return fc.constantFrom(...p.months);
    case 'file': return fc.constantFrom(...p.usernames.map((u) => `${u}.svg`), '.svg');
    default: return null;
  }
}

function regexValue(regex: string | undefined): fc.Arbitrary<string> | null {
  if (!regex || regex === '.+') return null;
  try {
    return fc.stringMatching(new RegExp(`^(?:${regex})$`));
  } catch {
    return null;
  }
}

/** A path segment value, percent-encoded, or raw (with only `?` and `#` escaped) to test decoding. */
function encodeSegment(v: string, raw: boolean): string {
  return raw ? v.replace(/[?#]/g, encodeURIComponent) : encodeURIComponent(v);
}

const PARAM_RE = /:(\w+)(?:\{((?:[^{}]|\{[^{}]*\})+)\})?|\*/g;

function pathArb(world: World, template: string): fc.Arbitrary<string> {
  const parts: (string | fc.Arbitrary<string>)[] = [];
  let last = 0;
  for (const m of template.matchAll(PARAM_RE)) {
    parts.push(template.slice(last, m.index));
    last = m.index! + m[0].length;
    const name = m[1];
    const regex = m[2];
    const options: fc.WeightedArbitrary<string>[] = [{ arbitrary: nastyString, weight: 1 }];
    const pool = name ? poolValue(world, name, regex) : fc.constantFrom('', 'x', 'daily_papers', 'papers/search', 'nope/deeper');
    const matching = regexValue(regex);
    if (pool) options.push({ arbitrary: pool, weight: 4 });
    if (matching) options.push({ arbitrary: matching, weight: 1 });
    parts.push(fc.tuple(fc.oneof(...options), fc.boolean()).map(([v, raw]) => (name === 'id' && regex === '.+' && !raw ? v.split('/').map((s) => encodeURIComponent(s)).join('/') : encodeSegment(v, raw))));
  }
  parts.push(template.slice(last));
  return fc.tuple(...parts.map((p) => (typeof p === 'string' ? fc.constant(p) : p))).map((xs) => xs.join(''));
}

// ---------------------------------------------------------------------------------------------
// Query, body and header values.

const QUERY_KEYS = ['p', 'limit', 'date', 'week', 'month', 'submitter', 'sort', 'cursor', 'q', 'format', 'token', 'next', 'revoked', 'done', 'page', 'category', 'mode'];
const FIELDS = ['_csrf', 'username', 'email', 'password', 'login', 'next', 'text', 'parentId', 'value', 'vote', 'day', 'direction', 'paperId', 'paperIds', 'name',
  'action', 'token', 'frequency', 'topics', 'topic', 'url', 'kind', 'webhook', 'List-Unsubscribe', 'sort'];

function valueArb(world: World): fc.Arbitrary<string> {
  const p = world.pools;
  return fc.oneof(
    nastyString,
    fc.constantFrom(...p.paperIds, ...p.days, ...p.weeks, ...p.months, ...p.usernames, ...p.tokens, ...p.commentIds.map(String)),
    fc.constantFrom('0', '1', '-1', '100', '101', 'up', 'down', 'new', 'top', 'trending', 'publishedAt', 'daily', 'weekly', 'rss', 'json', 'atom', 'save',
      'unsubscribe', 'resubscribe', 'add-webhook', 'remove-webhook', 'frequency', 'One-Click', 'transformer', 'a@b.co', 'https://example.org/hook', '/papers', '//evil.example'),
  );
}

function queryArb(world: World): fc.Arbitrary<string> {
  const pair = fc.tuple(fc.oneof(fc.constantFrom(...QUERY_KEYS), nastyString), valueArb(world), fc.boolean());
  return fc.array(pair, { maxLength: 5 }).map((pairs) => {
    if (pairs.length === 0) return '';
    // Raw pairs keep broken percent-escapes (`%zz`) that URLSearchParams would have escaped.
    const s = pairs.map(([k, v, raw]) => (raw ? `${k.replace(/[#&=]/g, '')}=${v.replace(/[#&]/g, '')}` : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)).join('&');
    return `?${s}`;
  });
}

function jsonFieldValue(world: World): fc.Arbitrary<unknown> {
  return fc.oneof(valueArb(world), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(valueArb(world), { maxLength: 4 }), fc.jsonValue({ maxDepth: 3 }),
    fc.constant(world.pools.commentIds[0]), fc.constant(world.pools.paperIds.slice(0, 3)), fc.integer({ min: -1, max: 1 }));
}

const HUGE_SIZES = [10_001, 200_000, 1_100_000, 3_000_000];

function bodyArb(world: World): fc.Arbitrary<Body> {
  const jsonType = fc.oneof(
    { arbitrary: fc.constant('application/json'), weight: 6 },
    { arbitrary: fc.constantFrom<string | null>('application/json; charset=utf-8', 'application/problem+json', null, 'text/plain'), weight: 2 },
  );
  const formType = fc.constantFrom<string | null>('application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8', null, 'application/json');
  const objectBody = fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 10 })), jsonFieldValue(world), { maxKeys: 5 });
  // Well-shaped bodies (every field a handler reads, mostly valid values) reach the success paths.
  const p = world.pools;
  const shaped = fc.record(
    {
      text: fc.oneof(fc.string({ minLength: 1, maxLength: 200 }), valueArb(world)),
      parentId: fc.oneof(fc.constantFrom(...p.commentIds), valueArb(world)),
      value: fc.oneof(fc.constantFrom(-1, 0, 1), fc.constant('1')),
      paperId: fc.constantFrom(...p.paperIds),
      day: fc.constantFrom(...p.days),
      paperIds: fc.shuffledSubarray(p.paperIds),
      email: fc.oneof(fc.emailAddress(), valueArb(world)),
      frequency: fc.constantFrom('daily', 'weekly', 'hourly'),
      topics: fc.array(fc.oneof(fc.constantFrom('transformers', 'diffusion'), fc.string()), { maxLength: 3 }),
    },
    { requiredKeys: [] },
  );
  const deep = fc.integer({ min: 1, max: 5000 }).map((n) => '['.repeat(n) + ']'.repeat(n));
  const json = fc.oneof(
    objectBody.map((o) => JSON.stringify(o)),
    shaped.map((o) => JSON.stringify(o)),
    shaped.map((o) => JSON.stringify(o)),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    deep,
    objectBody.chain((o) => fc.nat().map((n) => { const s = JSON.stringify(o); return s.slice(0, n % (s.length + 1)); })),
  );
  const form = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 8 })), valueArb(world)), { maxLength: 6 })
    .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));
  const shapedForm = shaped.map((o) => new URLSearchParams(Object.entries(o).map(([k, v]) => [k, String(v)])).toString());
  return fc.oneof(
    { arbitrary: fc.constant<Body>({ kind: 'none' }), weight: 2 },
    { arbitrary: shapedForm.map((text): Body => ({ kind: 'text', text, type: 'application/x-www-form-urlencoded' })), weight: 2 },
    { arbitrary: fc.tuple(json, jsonType).map(([text, type]): Body => ({ kind: 'text', text, type })), weight: 5 },
    { arbitrary: fc.tuple(form, formType).map(([text, type]): Body => ({ kind: 'text', text, type })), weight: 4 },
    { arbitrary: fc.array(fc.tuple(fc.constantFrom(...FIELDS), valueArb(world), fc.boolean()), { maxLength: 5 }).map((fields): Body => ({ kind: 'multipart', fields })), weight: 2 },
    {
      arbitrary: fc.tuple(fc.uint8Array({ maxLength: 2000 }), fc.constantFrom<string | null>('application/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=xyz', 'multipart/form-data', null, 'image/png'))
        .map(([bytes, type]): Body => ({ kind: 'bytes', bytes, type })),
      weight: 2,
    },
    {
      arbitrary: fc.tuple(fc.constantFrom(...HUGE_SIZES), fc.constantFrom('json', 'form'), fc.constantFrom(...FIELDS)).map(([n, k, field]): Body => k === 'json'
        ? { kind: 'text', text: JSON.stringify({ [field]: 'x'.repeat(n) }), type: 'application/json' }
        : { kind: 'text', text: `${field}=${'x'.repeat(n)}`, type: 'application/x-www-form-urlencoded' }),
      weight: 1,
    },
  );
}

function headersArb(): fc.Arbitrary<Record<string, string>> {
  const ascii = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 });
  return fc.record(
    {
      accept: fc.oneof(fc.constantFrom('text/html', 'application/json', 'application/problem+json', '*/*', 'application/json, text/html', 'image/svg+xml'), ascii),
      referer: fc.oneof(fc.constantFrom('http://localhost:3000/papers?date=2025-03-10', 'https://evil.example/', '//evil.example', 'not a url'), ascii),
      origin: fc.oneof(fc.constantFrom('http://localhost:3000', 'https://evil.example', 'null'), ascii),
      'x-forwarded-for': ascii,
      'if-none-match': fc.oneof(fc.constantFrom('*', '"abc"', 'W/"abc"', '""'), ascii),
      'if-modified-since': fc.oneof(fc.constantFrom('Wed, 21 Oct 2015 07:28:00 GMT', 'Thu, 01 Jan 2099 00:00:00 GMT', 'yesterday'), ascii),
      'x-csrf-token': ascii,
      'accept-encoding': fc.constantFrom('gzip', 'br', 'identity', '*'),
    },
    { requiredKeys: [] },
  );
}

/** One fuzzed request against one of `routes` (or, sometimes, a random path). */
export function requestArb(world: World, routes: RouteTemplate[]): fc.Arbitrary<FuzzRequest> {
  const target = fc.oneof(
    { arbitrary: fc.constantFrom(...routes), weight: 20 },
    { arbitrary: fc.tuple(fc.constantFrom(...METHODS), fc.array(nastyString, { minLength: 1, maxLength: 4 })).map(([method, segs]) => ({ method, path: `/${segs.map((s) => encodeURIComponent(s)).join('/')}` })), weight: 1 },
  );
  return target.chain((route) =>
    fc.record({
      route: fc.constant(route.path.includes('/') && !routes.includes(route) ? `${route.method} (random path)` : `${route.method} ${route.path}`),
      method: fc.oneof({ arbitrary: fc.constant(route.method), weight: 8 }, { arbitrary: fc.constantFrom(...METHODS), weight: 1 }),
      url: fc.tuple(route.path.includes(':') || route.path.includes('*') ? pathArb(world, route.path) : fc.constant(route.path), queryArb(world)).map(([p, q]) => `${p}${q}`),
      auth: fc.constantFrom(...AUTH_MODES),
      headers: headersArb(),
      body: bodyArb(world),
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Sending and checking.

function buildRequest(req: FuzzRequest, auth: Record<string, string>): Request | null {
  const headers = new Headers();
  try {
    for (const [k, v] of Object.entries({ ...req.headers, ...auth })) headers.set(k, v);
    const canHaveBody = req.method !== 'GET' && req.method !== 'HEAD';
    let body: BodyInit | undefined;
    const b = req.body;
    if (canHaveBody && b.kind === 'text') {
      body = b.text;
      if (b.type) headers.set('content-type', b.type);
    } else if (canHaveBody && b.kind === 'bytes') {
      body = b.bytes as Uint8Array<ArrayBuffer>;
      if (b.type) headers.set('content-type', b.type);
    } else if (canHaveBody && b.kind === 'multipart') {
      const fd = new FormData();
      for (const [k, v, asFile] of b.fields) fd.append(k, asFile ? new Blob([v]) : v);
      body = fd;
    }
    return new Request(`http://localhost:3000${req.url}`, { method: req.method, headers, body });
  } catch {
    // No HTTP server would deliver this (a header value outside Latin-1, a URL that cannot parse).
    return null;
  }
}

export interface CaseResult {
  status: number | null;
  violation: string | null;
}

/** Sends one fuzzed request and checks the property. */
export async function runCase(world: World, req: FuzzRequest): Promise<CaseResult> {
  world.tick();
  const auth = await world.authHeaders(req.auth);
  if (auth.cookie && req.headers.cookie) auth.cookie = `${req.headers.cookie}; ${auth.cookie}`;
  const request = buildRequest(req, auth);
  if (!request) return { status: null, violation: null };
  let res: Response;
  try {
    res = await world.app.request(request);
  } catch (err) {
    return { status: null, violation: `the app threw: ${(err as Error).stack}` };
  } finally {
    if (/\/(ban|unban)$/.test(req.url.split('?')[0]!)) await world.reset();
  }
  const text = await res.text();
  const where = `${req.method} ${req.url.slice(0, 300)} (${req.auth})`;
  if (res.status >= 500) return { status: res.status, violation: `${res.status} for ${where}: ${text.slice(0, 500)}` };
  if (res.status < 200) return { status: res.status, violation: `unexpected ${res.status} for ${where}` };
  const path = new URL(request.url).pathname;
  if (path.startsWith('/api/') && res.status >= 400 && req.method !== 'HEAD') {
    const type = res.headers.get('content-type') ?? '';
    if (!type.startsWith('application/problem+json')) return { status: res.status, violation: `${res.status} for ${where} is ${type}, not problem+json` };
    let body: { status?: unknown; detail?: unknown };
    try {
      body = JSON.parse(text);
    } catch {
      return { status: res.status, violation: `${res.status} for ${where}: body is not JSON: ${text.slice(0, 200)}` };
    }
    if (body.status !== res.status) return { status: res.status, violation: `${res.status} for ${where}: problem status is ${JSON.stringify(body.status)}` };
    if (typeof body.detail !== 'string') return { status: res.status, violation: `${res.status} for ${where}: problem has no string detail` };
  }
  return { status: res.status, violation: null };
}

/** Counts per route and status, for the bench's report. */
export class FuzzStats {
  readonly byStatus = new Map<number | string, number>();
  readonly byRoute = new Map<string, Map<number | string, number>>();
  readonly violations: string[] = [];

  add(req: FuzzRequest, r: CaseResult): void {
    const key = r.status ?? 'unsendable';
    this.byStatus.set(key, (this.byStatus.get(key) ?? 0) + 1);
    const m = this.byRoute.get(req.route) ?? new Map();
    m.set(key, (m.get(key) ?? 0) + 1);
    this.byRoute.set(req.route, m);
    if (r.violation) this.violations.push(r.violation);
  }
}
