/**
 * Accounts in the browser:
 *
 *   GET/POST /signup              create an account, then signed in
 *   GET/POST /login[?next=/path]  by username or email; `next` only ever leads back to this site
 *   POST     /logout              ends the session
 *   GET      /u/<username>        public profile
 *   GET      /settings            account, API tokens (create, revoke), email digest
 *   POST     /settings/tokens, /settings/tokens/<id>/revoke
 *
 * CSRF is checked for every POST by the auth middleware before these handlers run. Form errors
 * re-render the form with the status of the failure (400, 401, 409, 429) so that both people and
 * scripts can tell what happened.
 */
import { Hono, type Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppDeps } from '../deps.ts';
import type { User } from '../../domain/user.ts';
import { USERNAME_RE } from '../../domain/user.ts';
import { AppError } from '../../services/errors.ts';
import { authenticate, createApiToken, createSession, endSession, signup, validateSignup } from '../../services/auth.ts';
import { hitRateLimit } from '../../services/rate-limit.ts';
import { findUserByUsername, listApiTokens, revokeApiToken } from '../../storage/users-repo.ts';
import { profileActivity } from '../../storage/profile-repo.ts';
import { SESSION_COOKIE, authVia, clearSessionCookie, clientIp, csrfToken, currentUser, setSessionCookie } from '../middleware/auth.ts';
import { LoginPage, SignupPage, type FormError } from './account-forms.tsx';
import { ProfilePage } from './account-profile.tsx';
import { SettingsPage, type SettingsProps } from './account-settings.tsx';
import { asFormError as asFormErrorOf, formFields } from '../forms.ts';

/**
 * Where to go after logging in. Only same-site paths: `//evil.example` and `/\evil.example` are
 * protocol-relative to browsers, so they are refused along with absolute URLs (open redirect).
 */
export function safeNext(raw: string | undefined | null): string | null {
  if (!raw || raw.length > 2000 || !raw.startsWith('/') || raw.startsWith('//')) return null;
  if (/[\\\x00-\x1f\x7f]/.test(raw)) return null;
  try {
    const base = 'http://same-site.invalid';
    const u = new URL(raw, base);
    return u.origin === base ? u.pathname + u.search + u.hash : null;
  } catch {
    return null;
  }
}

/** Account forms show every client-side failure beside the form; anything else propagates. */
const shownOnForm = ['bad_request', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'rate_limited'] as const;
const asFormError = (err: unknown) => asFormErrorOf(err, shownOnForm);

function noStore(c: Context, retryAfter?: unknown): void {
  // Forms carry a CSRF token and settings may carry a fresh API token: never cache them.
  c.header('cache-control', 'no-store');
  if (typeof retryAfter === 'number') c.header('retry-after', String(retryAfter));
}

export function accountRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const { db, config } = deps;

  /** A fresh session for `user`; any session the browser already had is ended (no fixation). */
  async function startSession(c: Context, user: User): Promise<void> {
    const old = getCookie(c, SESSION_COOKIE);
    if (old) await endSession(db, old);
    const { token, expiresAt } = await createSession(db, user.id, deps.now());
    setSessionCookie(c, deps, token, expiresAt);
  }

  app.get('/signup', (c) => {
    if (currentUser(c)) return c.redirect('/', 302);
    noStore(c);
    return c.html(<SignupPage config={config} csrf={csrfToken(c, deps)} />);
  });

  app.post('/signup', async (c) => {
    const f = await formFields(c);
    const username = (f.username ?? '').trim();
    const email = (f.email ?? '').trim();
    const password = f.password ?? '';
    try {
      validateSignup({ username, email, password });
      // Counted after validation, so typos cost nothing; before the taken-check, so the 409s cannot
      // be used to enumerate registered emails at speed.
      await hitRateLimit(db, 'signup', clientIp(c, deps), deps.now());
      const user = await signup(db, { username, email, password }, deps.now());
      await startSession(c, user);
      return c.redirect('/', 303);
    } catch (err) {
      const { error, status } = asFormError(err);
      noStore(c, err instanceof AppError ? err.details.retryAfter : undefined);
      return c.html(<SignupPage config={config} csrf={csrfToken(c, deps)} username={username} email={email} error={error} />, status);
    }
  });

  app.get('/login', (c) => {
    const next = safeNext(c.req.query('next'));
    if (currentUser(c)) return c.redirect(next ?? '/', 302);
    noStore(c);
    return c.html(<LoginPage config={config} csrf={csrfToken(c, deps)} next={next} />);
  });

  app.post('/login', async (c) => {
    const f = await formFields(c);
    const login = (f.login ?? '').trim();
    const password = f.password ?? '';
    const next = safeNext(f.next);
    try {
      if (!login) throw AppError.badRequest('Enter your username or email', 'login');
      if (!password) throw AppError.badRequest('Enter your password', 'password');
      // Per client address, against spraying many accounts; authenticate() adds the per-account
      // growing lockout against hammering one.
      await hitRateLimit(db, 'login', clientIp(c, deps), deps.now());
      const user = await authenticate(db, login, password, deps.now());
      await startSession(c, user);
      return c.redirect(next ?? '/', 303);
    } catch (err) {
      const { error, status } = asFormError(err);
      noStore(c, err instanceof AppError ? err.details.retryAfter : undefined);
      const field = status === 401 ? 'password' : error.field;
      return c.html(<LoginPage config={config} csrf={csrfToken(c, deps)} login={login} next={next} error={{ ...error, field }} />, status);
    }
  });

  app.post('/logout', async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    if (token) await endSession(db, token);
    clearSessionCookie(c);
    return c.redirect('/', 303);
  });

  app.get('/u/:username', async (c) => {
    const name = c.req.param('username');
    const user = USERNAME_RE.test(name) ? await findUserByUsername(db, name) : null;
    if (!user) throw AppError.notFound(`There is no user "${name}".`);
    // Usernames match case-insensitively; one canonical URL per profile.
    if (user.username !== name) return c.redirect(`/u/${encodeURIComponent(user.username)}`, 301);
    const activity = await profileActivity(db, user.id);
    return c.html(<ProfilePage config={config} user={user} activity={activity} />);
  });

  async function renderSettings(c: Context, user: User, extra: Partial<SettingsProps> = {}, status: ContentfulStatusCode = 200) {
    noStore(c);
    const tokens = (await listApiTokens(db, user.id)).map((t) => ({ ...t, id: Number(t.id) }));
    return c.html(<SettingsPage config={config} user={user} csrf={csrfToken(c, deps)} tokens={tokens} {...extra} />, status);
  }

  /**
   * Token management needs a browser session: an API token must not be able to mint more tokens
   * (a leaked one could otherwise outlive its own revocation) or revoke its owner's others.
   */
  function sessionUser(c: Context): User {
    const user = currentUser(c);
    if (!user) throw new AppError('unauthorized', 'Log in first');
    if (authVia(c) !== 'session') throw new AppError('forbidden', 'API tokens are managed from the settings page in a browser, not with a token');
    return user;
  }

  app.get('/settings', async (c) => {
    const user = currentUser(c);
    if (!user) return c.redirect('/login?next=/settings', 302);
    return renderSettings(c, user, { notice: c.req.query('revoked') ? 'The token was revoked.' : undefined });
  });

  app.post('/settings/tokens', async (c) => {
    const user = sessionUser(c);
    const name = (await formFields(c)).name ?? '';
    try {
      const { token } = await createApiToken(db, user.id, name, deps.now());
      return renderSettings(c, user, { newToken: { name: name.trim(), token } }, 201);
    } catch (err) {
      const { error, status } = asFormError(err);
      return renderSettings(c, user, { error, tokenName: name }, status);
    }
  });

  app.post('/settings/tokens/:id{[0-9]+}/revoke', async (c) => {
    const user = sessionUser(c);
    const ok = await revokeApiToken(db, user.id, Number(c.req.param('id')), deps.now().toISOString());
    if (!ok) throw AppError.notFound('You have no active token with that id.');
    return c.redirect('/settings?revoked=1#tokens', 303);
  });

  return app;
}
