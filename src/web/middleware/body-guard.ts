/**
 * Request bodies at the edge, before the CSRF check or any handler reads them:
 *
 * - larger than MAX_BODY_BYTES → 413 (the largest legitimate body, a 10,000-character comment, is
 *   far below it; without a cap one request could make the server buffer gigabytes);
 * - a form body (urlencoded or multipart) that cannot be parsed → 400. `c.req.parseBody()` throws a
 *   bare TypeError for these ("Failed to parse body as FormData"), which would otherwise surface as a
 *   500 from whichever handler touched the body first. Hono caches the parse, so handlers and the
 *   CSRF check reuse it at no cost.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { AppError } from '../../services/errors.ts';

export const MAX_BODY_BYTES = 1024 * 1024;

const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data']);

export function bodyGuard(maxBytes = MAX_BODY_BYTES): MiddlewareHandler {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new HTTPException(413, { message: `The request body is larger than the ${Math.round(maxBytes / 1024)} KiB this server accepts` });
    },
  });
  return (c, next) => {
    // GET and HEAD carry no body here; skipping them also keeps the hot read path from building a
    // full fetch Request (touching `c.req.raw.body` does that under @hono/node-server).
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    return limit(c, async () => {
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (FORM_TYPES.has(type)) {
        try {
          await c.req.parseBody();
        } catch {
          throw AppError.badRequest(`The ${type} body is malformed and could not be parsed`);
        }
      }
      await next();
    });
  };
}
