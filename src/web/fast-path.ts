/**
 * Page-cache hits answered in the node request listener, before Hono (see the header of
 * middleware/page-cache.ts for the cache itself).
 *
 * Through the app, even a cache hit builds a fetch Request, runs the body guard, auth and viewer
 * middleware, then a Response and its Headers that @hono/node-server copies back out: about 250 µs
 * of CPU for the feed page, most of the server's time under load. Here a hit is a map lookup, the
 * version check and one `writeHead`/`end` with headers and a (pre-gzipped) body built once per entry.
 *
 * Only requests the middleware would answer from the cache qualify: GET or HEAD, no Authorization
 * header and no session cookie (any other cookie, e.g. the CSRF seed, does not change the page).
 * Anything else, and any miss, goes to the app, which renders and fills the cache; so the app stays
 * the one place that decides what is cacheable.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Db } from '../storage/db.ts';
import { SESSION_COOKIE } from './middleware/auth.ts';
import { pageStoreFor } from './middleware/page-cache.ts';

const SESSION = `${SESSION_COOKIE}=`;

/** `app` behind a listener that answers current page-cache hits for `db`'s app by itself. */
export function withPageCacheFastPath(db: Db, app: RequestListener): RequestListener<typeof IncomingMessage, typeof ServerResponse> {
  return (req, res) => {
    const store = pageStoreFor(db);
    const method = req.method;
    const url = req.url;
    if (!store || (method !== 'GET' && method !== 'HEAD') || !url || url.charCodeAt(0) !== 47 /* / */) return app(req, res);
    const h = req.headers;
    // A cookie named like the session cookie anywhere in the header is enough to let the app look.
    if (h.authorization !== undefined || (h.cookie !== undefined && h.cookie.includes(SESSION))) return app(req, res);
    const a = store.answerFast(url, { acceptEncoding: h['accept-encoding'], ifNoneMatch: h['if-none-match'], ifModifiedSince: h['if-modified-since'] });
    if (!a) return app(req, res);
    res.writeHead(a.status, a.flat);
    if (a.body && method === 'GET') res.end(a.body);
    else res.end();
  };
}
