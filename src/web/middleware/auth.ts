import crypto from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { AppDeps } from '../deps.ts';
import type { User } from '../../domain/user.ts';
import { AppError } from '../../services/errors.ts';
import { assertCanWrite, userForApiToken, userForSession } from '../../services/auth.ts';

export const SESSION_COOKIE = 'dp_session';
const CSRF_COOKIE = 'dp_csrf';
export const CSRF_FIELD = '_csrf';

type AuthVia = 'session' | 'token' | null;

interface AuthState {
  user: User | null;
  via: AuthVia;
  csrfSeed: string | null;
}

const STATE = 'dp_auth';

function state(c: Context): AuthState {
  return (c.get(STATE as never) as AuthState | undefined) ?? { user: null, via: null, csrfSeed: null };
}

export function currentUser(c: Context): User | null {
  return state(c).user;
}

/** The signed-in user, allowed to write (not banned); 401/403 otherwise. */
export function requireWriter(c: Context): User {
  return assertCanWrite(currentUser(c));
}

export function authVia(c: Context): AuthVia {
  return state(c).via;
}

function secureCookies(deps: AppDeps): boolean {
  return deps.config.baseUrl.startsWith('https://');
}

export function setSessionCookie(c: Context, deps: AppDeps, token: string, expires: Date): void {
  setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: 'Lax', secure: secureCookies(deps), path: '/', expires });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
}

/** The client's address; X-Forwarded-For only counts when TRUST_PROXY is set. */
export function clientIp(c: Context, deps: AppDeps): string {
  if (deps.config.trustProxy) {
    const fwd = c.req.header('x-forwarded-for');
    if (fwd) return fwd.split(',')[0].trim();
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Exported for tests and scripts that drive forms without a browser. */
export function csrfTokenFor(secret: string, seed: string): string {
  return hmac(secret, seed);
}

function hmac(secret: string, value: string): string {
  return crypto.createHmac('sha256', secret).update(`csrf:${value}`).digest('base64url');
}

/**
 * The CSRF token for forms: an HMAC of a random per-browser cookie (signed double submit). It
 * works before login too, so the login and signup forms are protected as well.
 */
export function csrfToken(c: Context, deps: AppDeps): string {
  const st = state(c);
  let seed = st.csrfSeed;
  if (!seed) {
    seed = crypto.randomBytes(18).toString('base64url');
    setCookie(c, CSRF_COOKIE, seed, { httpOnly: true, sameSite: 'Lax', secure: secureCookies(deps), path: '/' });
    c.set(STATE as never, { ...st, csrfSeed: seed } as never);
  }
  return hmac(deps.config.secret, seed);
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface AuthOptions {
  /** Paths whose POSTs carry their own proof (e.g. RFC 8058 one-click unsubscribe tokens). */
  csrfExempt?: (path: string) => boolean;
}

/**
 * Resolves the user from a Bearer token or the session cookie, then enforces CSRF on unsafe
 * methods. Requests authenticated by a Bearer token are exempt (no ambient credentials); so are
 * anonymous API requests.
 */
export function authMiddleware(deps: AppDeps, opts: AuthOptions = {}): MiddlewareHandler {
  return async (c, next) => {
    const now = deps.now();
    const st: AuthState = { user: null, via: null, csrfSeed: getCookie(c, CSRF_COOKIE) ?? null };
    const authz = c.req.header('authorization');
    if (authz) {
      const m = /^Bearer\s+(\S+)$/i.exec(authz);
      const user = m ? await userForApiToken(deps.db, m[1], now) : null;
      if (!user) throw new AppError('unauthorized', 'Invalid or revoked API token');
      st.user = user;
      st.via = 'token';
    } else {
      const token = getCookie(c, SESSION_COOKIE);
      if (token) {
        st.user = await userForSession(deps.db, token, now);
        st.via = st.user ? 'session' : null;
        if (!st.user) clearSessionCookie(c);
      }
    }
    c.set(STATE as never, st as never);

    if (UNSAFE.has(c.req.method) && st.via !== 'token' && !opts.csrfExempt?.(c.req.path)) {
      // Without a signed-in user there are no ambient credentials to abuse, so anonymous API
      // calls skip the check (and get a clean 401 where login is required). Anonymous *forms*
      // (login, signup) are still checked, against login CSRF.
      const anonymousApi = !st.user && (c.req.path.startsWith('/api/') || (c.req.header('content-type') ?? '').startsWith('application/json'));
      if (!anonymousApi) await checkCsrf(c, deps, st);
    }
    await next();
  };
}

async function checkCsrf(c: Context, deps: AppDeps, st: AuthState): Promise<void> {
  let sent = c.req.header('x-csrf-token') ?? null;
  if (!sent) {
    const type = c.req.header('content-type') ?? '';
    if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
      const body = await c.req.parseBody();
      const v = body[CSRF_FIELD];
      sent = typeof v === 'string' ? v : null;
    }
  }
  if (!st.csrfSeed || !sent || !safeEqual(sent, hmac(deps.config.secret, st.csrfSeed))) {
    throw new AppError('forbidden', 'The form expired or did not come from this site (CSRF check failed); reload the page and try again');
  }
}
