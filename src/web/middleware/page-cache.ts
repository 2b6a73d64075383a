/**
 * An in-process cache of rendered anonymous pages, with ETag/Last-Modified revalidation (304).
 *
 * Rendering the feed means a few SQL queries over ~200k papers and a large JSX tree; almost every
 * visitor is anonymous and sees the same bytes, so the rendered body is kept, keyed by URL, and
 * served until the data changes. What is cached is decided by the handlers, not listed here: a 200
 * GET whose response says `Cache-Control: public` (feed, paper, trending pages, API lists, feeds,
 * images), without Set-Cookie, for a request with no session cookie and no Authorization header
 * (signed-in pages carry personal controls and CSRF tokens, and are never cached).
 *
 * Hits are answered twice over: by this middleware (inside the app, e.g. for `app.request` in tests)
 * and, in `serve`, before the app by the node request listener (src/web/fast-path.ts), which writes
 * the headers and body kept here straight to the socket. Going through Hono (a Request, the
 * middleware chain, a Response, its Headers) costs several times more CPU than the hit itself, and
 * the feed is what nearly every visitor asks for. Both paths answer from the same entries with the
 * same headers (`answer`), so they cannot drift apart.
 *
 * Invalidation: an entry is valid for one "content version" and one clock minute. The version is
 * read from SQLite itself: `total_changes()` (rows written by this process's connection: votes,
 * comments, features, submissions, imports, the trending job, anything) and `PRAGMA data_version`
 * (commits by other connections, e.g. a `dailypapers import` running beside the server), plus an
 * explicit counter (`bumpContentGeneration`) for changes that are not database writes. Reading the
 * database's own counters, rather than relying on every write path to remember to bump a counter,
 * means no write can leave a stale page behind. `total_changes()` is read on every request (well
 * under a microsecond); `data_version` costs several, so the fast path reads it at most every
 * DATA_VERSION_MS: another process's commit shows within that, this process's writes at once. The
 * minute bounds pages that depend on the clock (trending decays, "today"), matching the
 * `max-age=60` that shared caches already apply.
 *
 * Cached text bodies are also kept gzipped (compressed once per version, not per request) and served
 * so to clients that accept it: a feed page is ~175 KB of HTML and ~30 KB gzipped.
 *
 * PAGE_CACHE=0 turns the cache off (to measure what it buys: `npm run bench:http -- --no-cache`).
 */
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { AppDeps } from '../deps.ts';
import type { Db } from '../../storage/db.ts';
import { SESSION_COOKIE, currentUser } from './auth.ts';

let generation = 0;

/** Invalidates every cached page; for changes that are not database writes (database writes are seen by themselves). */
export function bumpContentGeneration(): void {
  generation++;
}

const PASS_THROUGH_MS = 5_000;
export const DATA_VERSION_MS = 5;

export interface PageCacheOptions {
  maxEntries?: number;
  maxBytes?: number;
  /** Larger bodies are not kept (they are rare, and would evict many small pages). */
  maxEntryBytes?: number;
}

/** One representation of an entry, its headers ready for the app (pairs) and for `writeHead` (flat). */
interface Representation {
  etag: string;
  body: Uint8Array<ArrayBuffer>;
  ok: [string, string][];
  okFlat: string[];
  notModified: [string, string][];
  notModifiedFlat: string[];
}

interface Entry {
  status: number;
  headers: [string, string][];
  body: Uint8Array<ArrayBuffer>;
  etag: string;
  /** Seconds since the epoch; see `lastModifiedClock`. */
  lastModified: number;
  version: string;
  html: boolean;
  /** The gzipped body, made on first demand; null when not worth it (small or binary). */
  gzip: Uint8Array<ArrayBuffer> | null | undefined;
  /** Built on first demand, indexed by `repIndex`. */
  reps: (Representation | undefined)[];
}

/** What a hit answers: status, headers (pairs and flat) and body (null for a 304). */
export interface Answer {
  status: number;
  headers: [string, string][];
  flat: string[];
  body: Uint8Array<ArrayBuffer> | null;
}

/** What of a request decides the answer to it. */
export interface Conditionals {
  acceptEncoding: string | undefined;
  ifNoneMatch: string | undefined;
  ifModifiedSince: string | undefined;
}

const COMPRESSIBLE = /^(text\/|application\/(json|problem\+json|feed\+json|atom\+xml|rss\+xml|xml)|image\/svg\+xml)/;
const GZIP = /\bgzip\b(?!\s*;\s*q=0(\.0*)?\s*(,|$))/;
const REPLACED = new Set(['etag', 'vary', 'x-cache', 'content-length']);
const NOT_MODIFIED_KEEPS = new Set(['etag', 'last-modified', 'cache-control', 'content-location', 'date', 'expires']);

function gzipOf(e: Entry): Uint8Array<ArrayBuffer> | null {
  if (e.gzip === undefined) {
    const type = e.headers.find(([k]) => k === 'content-type')?.[1] ?? '';
    e.gzip = e.body.byteLength >= 1024 && COMPRESSIBLE.test(type) ? (zlib.gzipSync(e.body, { level: 6 }) as Uint8Array<ArrayBuffer>) : null;
  }
  return e.gzip;
}

const flatten = (pairs: [string, string][]) => pairs.flat();

/**
 * `outer` representations are what leaves the whole app; inner ones what leaves this middleware,
 * before the viewer middleware (account-context.ts) adds `Cookie` to an HTML page's Vary.
 */
function representation(e: Entry, gz: boolean, lmShown: boolean, outer: boolean): Representation {
  const i = (gz ? 1 : 0) | (lmShown ? 2 : 0) | (outer ? 4 : 0);
  const cached = e.reps[i];
  if (cached) return cached;
  const body = gz ? gzipOf(e)! : e.body;
  // Each representation has its own (strong) validator.
  const etag = gz ? `${e.etag.slice(0, -1)}-gz"` : e.etag;
  const ok: [string, string][] = e.headers.filter(([k]) => !REPLACED.has(k) && !(lmShown && k === 'last-modified') && !(gz && k === 'content-encoding'));
  const vary = e.headers.find(([k]) => k === 'vary')?.[1];
  ok.push(['etag', etag], ['vary', `${vary ? `${vary}, ` : ''}Accept-Encoding${outer && e.html ? ', Cookie' : ''}`]);
  if (lmShown) ok.push(['last-modified', new Date(e.lastModified * 1000).toUTCString()]);
  if (gz) ok.push(['content-encoding', 'gzip']);
  if (outer) ok.push(['content-length', String(body.byteLength)]);
  const notModified: [string, string][] = ok.filter(([k]) => NOT_MODIFIED_KEEPS.has(k));
  // The 200 would have varied by Cookie (see account-context.ts); so does its 304.
  notModified.push(['vary', e.html ? 'Accept-Encoding, Cookie' : 'Accept-Encoding']);
  const rep = { etag, body, ok, okFlat: flatten([...ok, ['x-cache', 'hit']]), notModified, notModifiedFlat: flatten(notModified) };
  e.reps[i] = rep;
  return rep;
}

/** RFC 9110 §13.1.2: weak comparison, a list of tags, or `*`. */
function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === bare);
}

function isNotModified(req: Conditionals, etag: string, lastModified: number, nowSec: number): boolean {
  if (req.ifNoneMatch !== undefined) return etagMatches(req.ifNoneMatch, etag);
  if (req.ifModifiedSince === undefined || lastModified > nowSec) return false;
  const t = Date.parse(req.ifModifiedSince);
  return Number.isFinite(t) && lastModified <= Math.floor(t / 1000);
}

/** The entry as an answer to `req` (304 when the client's copy is current). */
function answer(e: Entry, req: Conditionals, nowSec: number, outer: boolean): Answer {
  const gz = !!req.acceptEncoding && GZIP.test(req.acceptEncoding) && gzipOf(e) !== null;
  // A Last-Modified still in the future is not sent.
  const rep = representation(e, gz, e.lastModified <= nowSec, outer);
  if (isNotModified(req, rep.etag, e.lastModified, nowSec)) return { status: 304, headers: rep.notModified, flat: rep.notModifiedFlat, body: null };
  return { status: e.status, headers: rep.ok, flat: rep.okFlat, body: rep.body };
}

/** The data's version as one string; changes whenever any row in the database may have changed. */
function versionReader(db: Db): (dataVersionMaxAgeMs: number) => string {
  const sqlite = db.sqlite;
  if (db.changeFeed) {
    const feed = db.changeFeed();
    return () => `${generation}:${feed.version()}`;
  }
  if (!sqlite) {
    let n = 0;
    return () => `uncacheable:${n++}`; // no SQLite handle: nothing can be trusted, never hit
  }
  const changes = sqlite.prepare('SELECT total_changes()').pluck();
  const dataVersion = sqlite.prepare('PRAGMA data_version').pluck();
  let dv = 0;
  let dvAt = -Infinity;
  return (maxAgeMs) => {
    const t = performance.now();
    if (t - dvAt >= maxAgeMs) {
      dv = dataVersion.get() as number;
      dvAt = t;
    }
    return `${generation}:${changes.get() as number}:${dv}`;
  };
}

/**
 * Last-Modified per version: the time a new version (or minute) was first seen, forced to grow by at
 * least a second each time, so that two versions within one second never share a date (a client
 * holding the older one would otherwise get a wrong 304). A date still in the future is not sent.
 */
function lastModifiedClock() {
  let seen = '';
  let sec = 0;
  return (key: string, nowMs: number): number => {
    if (key !== seen) {
      seen = key;
      sec = Math.max(Math.floor(nowMs / 1000), sec + 1);
    }
    return sec;
  };
}

/** The entries of one app; the middleware fills it, the middleware and the fast path answer from it. */
export class PageStore {
  // Map iteration order is insertion order: re-inserting on a hit makes the first key the least recently used.
  readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private readonly readVersion: (dataVersionMaxAgeMs: number) => string;

  constructor(
    readonly deps: AppDeps,
    private readonly limits: Required<PageCacheOptions>,
  ) {
    this.readVersion = versionReader(deps.db);
  }

  /** The current version; `dataVersionMaxAgeMs` > 0 may reuse a `data_version` read that recent. */
  version(nowMs: number, dataVersionMaxAgeMs = 0): string {
    return `${this.readVersion(dataVersionMaxAgeMs)}|${Math.floor(nowMs / 60_000)}`;
  }

  /** The entry for `key` if it is current at version `v`, marked as recently used. */
  current(key: string, v: string): Entry | undefined {
    const e = this.entries.get(key);
    if (!e || e.version !== v) return undefined;
    this.entries.delete(key);
    this.entries.set(key, e);
    return e;
  }

  /** A hit for the node listener: the answer as it leaves the app, or null to let the app decide. */
  answerFast(key: string, req: Conditionals): Answer | null {
    const e = this.entries.get(key);
    if (!e) return null;
    const nowMs = this.deps.now().getTime();
    if (this.current(key, this.version(nowMs, DATA_VERSION_MS)) !== e) return null;
    return answer(e, req, Math.floor(nowMs / 1000), true);
  }

  add(key: string, e: Entry): void {
    if (e.body.byteLength > this.limits.maxEntryBytes) return;
    this.entries.set(key, e);
    this.bytes += e.body.byteLength;
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.limits.maxEntries && this.bytes <= this.limits.maxBytes) break;
      this.evict(oldest);
    }
  }

  evict(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.bytes -= e.body.byteLength;
  }
}

// One store per database: `serve` finds the app's store from the database it opened.
const stores = new WeakMap<Db, PageStore>();

/** The page store of the app built over `db`, if its page cache is on. */
export function pageStoreFor(db: Db): PageStore | undefined {
  return stores.get(db);
}

function cacheableRequest(c: Context): boolean {
  if (c.req.method !== 'GET') return false;
  if (c.req.header('authorization') || getCookie(c, SESSION_COOKIE)) return false;
  return currentUser(c) === null;
}

function conditionals(c: Context): Conditionals {
  return { acceptEncoding: c.req.header('accept-encoding'), ifNoneMatch: c.req.header('if-none-match'), ifModifiedSince: c.req.header('if-modified-since') };
}

function toResponse(a: Answer, hit: boolean): Response {
  const headers = new Headers(a.headers);
  if (a.status !== 304) headers.set('x-cache', hit ? 'hit' : 'miss');
  return new Response(a.body, { status: a.status, headers });
}

export function pageCache(deps: AppDeps, opts: PageCacheOptions = {}): MiddlewareHandler {
  if (process.env.PAGE_CACHE === '0') return (_c, next) => next();
  const store = new PageStore(deps, { maxEntries: opts.maxEntries ?? 500, maxBytes: opts.maxBytes ?? 64 * 1024 * 1024, maxEntryBytes: opts.maxEntryBytes ?? 2 * 1024 * 1024 });
  stores.set(deps.db, store);
  const clock = lastModifiedClock();
  const inFlight = new Map<string, Promise<void>>();
  // URLs whose last answer could not be cached (healthz, 404s, private pages) skip the version read
  // and bookkeeping for a few seconds; the mark expires so that a page that becomes cacheable is.
  const passThrough = new Map<string, number>();

  // On PostgreSQL this process learns of its own commits by NOTIFY, a moment after it answered: a
  // write request therefore also invalidates directly, so its redirect never shows the old page.
  const notedByNotify = !!deps.db.changeFeed;
  return async (c, next) => {
    if (notedByNotify && c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      await next();
      bumpContentGeneration();
      return;
    }
    if (!cacheableRequest(c)) return next();
    const url = c.req.url;
    const key = url.slice(url.indexOf('/', url.indexOf('//') + 2));
    const skipUntil = passThrough.get(key);
    if (skipUntil !== undefined) {
      if (Date.now() < skipUntil) return next();
      passThrough.delete(key);
    }
    const nowMs = deps.now().getTime();
    const nowSec = Math.floor(nowMs / 1000);
    let v = store.version(nowMs);
    let hit = store.current(key, v);
    // Many visitors asking for the same page right after a change wait for one render, not one each.
    const pending = inFlight.get(key);
    if (!hit && pending) {
      await pending;
      v = store.version(nowMs);
      hit = store.current(key, v);
    }
    if (hit) return toResponse(answer(hit, conditionals(c), nowSec, false), true);
    store.evict(key);

    let done!: () => void;
    const rendering = new Promise<void>((r) => (done = r));
    inFlight.set(key, rendering);
    try {
      await next();
      const res = c.res;
      const cc = res.headers.get('cache-control') ?? '';
      if (res.status !== 200 || !/\bpublic\b/.test(cc) || res.headers.has('set-cookie') || !res.body) {
        if (passThrough.size >= 10_000) passThrough.clear();
        passThrough.set(key, Date.now() + PASS_THROUGH_MS);
        return;
      }
      const body = new Uint8Array(await res.arrayBuffer());
      const entry: Entry = {
        status: res.status,
        headers: [...res.headers.entries()],
        body,
        etag: `"${crypto.createHash('sha1').update(body).digest('base64url').slice(0, 22)}"`,
        lastModified: clock(v, nowMs),
        version: v,
        html: (res.headers.get('content-type') ?? '').startsWith('text/html'),
        gzip: undefined,
        reps: [],
      };
      store.add(key, entry);
      c.res = undefined as unknown as Response; // replace, rather than merge into, the consumed response
      c.res = toResponse(answer(entry, conditionals(c), nowSec, false), false);
    } finally {
      inFlight.delete(key);
      done();
    }
  };
}
