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
 * Invalidation: an entry is valid for one "content version" and one clock minute. The version is
 * read from SQLite itself: `total_changes()` (rows written by this process's connection: votes,
 * comments, features, submissions, imports, the trending job, anything) and `PRAGMA data_version`
 * (commits by other connections, e.g. a `dailypapers import` running beside the server), plus an
 * explicit counter (`bumpContentGeneration`) for changes that are not database writes. Reading the
 * database's own counters, rather than relying on every write path to remember to bump a counter,
 * means no write can leave a stale page behind. The minute bounds pages that depend on the clock
 * (trending decays, "today"), matching the `max-age=60` that shared caches already apply.
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

export interface PageCacheOptions {
  maxEntries?: number;
  maxBytes?: number;
  /** Larger bodies are not kept (they are rare, and would evict many small pages). */
  maxEntryBytes?: number;
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
}

const COMPRESSIBLE = /^(text\/|application\/(json|problem\+json|feed\+json|atom\+xml|rss\+xml|xml)|image\/svg\+xml)/;

function acceptsGzip(c: Context): boolean {
  const ae = c.req.header('accept-encoding');
  return !!ae && /\bgzip\b(?!\s*;\s*q=0(\.0*)?\s*(,|$))/.test(ae);
}

function gzipOf(e: Entry, type: string): Uint8Array<ArrayBuffer> | null {
  if (e.gzip === undefined) e.gzip = e.body.byteLength >= 1024 && COMPRESSIBLE.test(type) ? (zlib.gzipSync(e.body, { level: 6 }) as Uint8Array<ArrayBuffer>) : null;
  return e.gzip;
}

/** The data's version as one string; changes whenever any row in the database may have changed. */
function versionReader(db: Db): () => string {
  const stmt = db.sqlite?.prepare('SELECT total_changes() AS t, (SELECT data_version FROM pragma_data_version) AS v');
  if (!stmt) return () => `g${generation}:${Date.now()}`; // no SQLite handle: nothing can be trusted, never hit
  return () => {
    const r = stmt.get() as { t: number; v: number };
    return `${generation}:${r.t}:${r.v}`;
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

function cacheableRequest(c: Context): boolean {
  if (c.req.method !== 'GET') return false;
  if (c.req.header('authorization') || getCookie(c, SESSION_COOKIE)) return false;
  return currentUser(c) === null;
}

/** RFC 9110 §13.1.2: weak comparison, a list of tags, or `*`. */
function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === bare);
}

function notModified(c: Context, etag: string, lastModified: number, nowSec: number): boolean {
  const inm = c.req.header('if-none-match');
  if (inm !== undefined) return etagMatches(inm, etag);
  const ims = c.req.header('if-modified-since');
  if (ims === undefined || lastModified > nowSec) return false;
  const t = Date.parse(ims);
  return Number.isFinite(t) && lastModified <= Math.floor(t / 1000);
}

/** The entry as a response (304 when the client's copy is current); `hit` only labels X-Cache. */
function respond(c: Context, e: Entry, nowSec: number, hit: boolean): Response {
  const headers = new Headers(e.headers);
  headers.set('x-cache', hit ? 'hit' : 'miss');
  const gz = acceptsGzip(c) ? gzipOf(e, headers.get('content-type') ?? '') : null;
  // Each representation has its own (strong) validator.
  const etag = gz ? `${e.etag.slice(0, -1)}-gz"` : e.etag;
  headers.set('etag', etag);
  headers.append('vary', 'Accept-Encoding');
  if (e.lastModified <= nowSec) headers.set('last-modified', new Date(e.lastModified * 1000).toUTCString());
  if (notModified(c, etag, e.lastModified, nowSec)) {
    const h = new Headers();
    for (const k of ['etag', 'last-modified', 'cache-control', 'content-location', 'date', 'expires']) {
      const v = headers.get(k);
      if (v !== null) h.set(k, v);
    }
    // The 200 would have varied by Cookie (see account-context.ts); so does its 304.
    h.set('vary', e.html ? 'Accept-Encoding, Cookie' : 'Accept-Encoding');
    return new Response(null, { status: 304, headers: h });
  }
  if (gz) {
    headers.set('content-encoding', 'gzip');
    headers.delete('content-length');
    return new Response(gz, { status: e.status, headers });
  }
  return new Response(e.body, { status: e.status, headers });
}

export function pageCache(deps: AppDeps, opts: PageCacheOptions = {}): MiddlewareHandler {
  if (process.env.PAGE_CACHE === '0') return (_c, next) => next();
  const maxEntries = opts.maxEntries ?? 500;
  const maxBytes = opts.maxBytes ?? 64 * 1024 * 1024;
  const maxEntryBytes = opts.maxEntryBytes ?? 2 * 1024 * 1024;
  const version = versionReader(deps.db);
  const clock = lastModifiedClock();
  // Map iteration order is insertion order: re-inserting on a hit makes the first key the least recently used.
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<void>>();
  // URLs whose last answer could not be cached (healthz, 404s, private pages) skip the version read
  // and bookkeeping for a few seconds; the mark expires so that a page that becomes cacheable is.
  const passThrough = new Map<string, number>();
  let bytes = 0;

  const evict = (key: string) => {
    const e = entries.get(key);
    if (!e) return;
    entries.delete(key);
    bytes -= e.body.byteLength;
  };

  return async (c, next) => {
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
    let v = `${version()}|${Math.floor(nowMs / 60_000)}`;
    let hit = entries.get(key);
    // Many visitors asking for the same page right after a change wait for one render, not one each.
    const pending = inFlight.get(key);
    if ((!hit || hit.version !== v) && pending) {
      await pending;
      v = `${version()}|${Math.floor(nowMs / 60_000)}`;
      hit = entries.get(key);
    }
    if (hit && hit.version === v) {
      entries.delete(key);
      entries.set(key, hit);
      return respond(c, hit, nowSec, true);
    }
    evict(key);

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
      };
      if (body.byteLength <= maxEntryBytes) {
        entries.set(key, entry);
        bytes += body.byteLength;
        for (const oldest of entries.keys()) {
          if (entries.size <= maxEntries && bytes <= maxBytes) break;
          evict(oldest);
        }
      }
      c.res = undefined as unknown as Response; // replace, rather than merge into, the consumed response
      c.res = respond(c, entry, nowSec, false);
    } finally {
      inFlight.delete(key);
      done();
    }
  };
}
