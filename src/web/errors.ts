import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError, type AppErrorKind } from '../services/errors.ts';

/** The single place where failures become HTTP: AppError kinds map to statuses here and nowhere else. */
const STATUS: Record<AppErrorKind, ContentfulStatusCode> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  unavailable: 503,
};

export function statusFor(kind: AppErrorKind): ContentfulStatusCode {
  return STATUS[kind];
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  [ext: string]: unknown;
}

export function problemFor(status: number, detail: string, instance: string, ext: Record<string, unknown> = {}): Problem {
  return { type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail, instance, ...ext };
}

function wantsJson(c: Context): boolean {
  if (c.req.path.startsWith('/api/') || c.req.path === '/openapi.json') return true;
  const accept = c.req.header('accept') ?? '';
  return /application\/(problem\+)?json/.test(accept) && !accept.includes('text/html');
}

export type HtmlErrorRenderer = (c: Context, status: number, title: string, detail: string) => Response | Promise<Response>;

export function respondWithProblem(c: Context, status: ContentfulStatusCode, detail: string, ext: Record<string, unknown>, renderHtml?: HtmlErrorRenderer): Response | Promise<Response> {
  if (!wantsJson(c) && renderHtml) return renderHtml(c, status, TITLES[status] ?? 'Error', detail);
  const body = problemFor(status, detail, c.req.path, ext);
  return c.body(JSON.stringify(body), status, { 'content-type': 'application/problem+json; charset=utf-8' });
}

export function errorHandler(renderHtml?: HtmlErrorRenderer) {
  return (err: Error, c: Context): Response | Promise<Response> => {
    if (err instanceof AppError) {
      const status = STATUS[err.kind];
      if (err.details.retryAfter) c.header('retry-after', String(err.details.retryAfter));
      return respondWithProblem(c, status, err.message, err.details, renderHtml);
    }
    if (err instanceof HTTPException) {
      const status = err.status as ContentfulStatusCode;
      return respondWithProblem(c, status, err.message || TITLES[status] || 'Error', {}, renderHtml);
    }
    // Malformed JSON bodies surface as SyntaxError from c.req.json(): the client's fault.
    if (err instanceof SyntaxError) return respondWithProblem(c, 400, `Malformed request body: ${err.message}`, {}, renderHtml);
    if (isDatabaseUnavailable(err)) return respondWithProblem(c, 503, 'The database is unavailable; try again shortly.', {}, renderHtml);
    console.error(err);
    return respondWithProblem(c, 500, 'Internal error', {}, renderHtml);
  };
}

function isDatabaseUnavailable(err: Error): boolean {
  const code = String((err as { code?: string }).code ?? '');
  // better-sqlite3 reports extended codes (SQLITE_READONLY_DBMOVED, SQLITE_IOERR_WRITE, SQLITE_BUSY_SNAPSHOT...).
  if (/^SQLITE_(BUSY|LOCKED|READONLY|FULL|IOERR|CANTOPEN)/.test(code)) return true;
  // PostgreSQL: the socket failed, class 08 (connection exception), 57P01-03 (shut down, starting),
  // 53300 (too many connections). pg's own pool and socket failures carry no code, only a message.
  if (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND|08...|57P0[123]|53300)$/.test(code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly/.test(err.message);
}
