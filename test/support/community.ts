import type { Db } from '../../src/storage/db.ts';
import type { Role, User } from '../../src/domain/user.ts';
import { createApiToken, createSession, signup } from '../../src/services/auth.ts';
import { setRole } from '../../src/storage/users-repo.ts';
import { CSRF_FIELD, csrfTokenFor, SESSION_COOKIE } from '../../src/web/middleware/auth.ts';

/** testConfig()'s secret. */
const SECRET = 'test-secret';
const SEED = 'test-csrf-seed';

let n = 0;
export async function makeUser(db: Db, over: { username?: string; email?: string; password?: string; role?: Role } = {}): Promise<User & { password: string }> {
  n++;
  const username = over.username ?? `user${n}_${Math.random().toString(36).slice(2, 6)}`;
  const password = over.password ?? 'correct horse battery';
  const user = await signup(db, { username, email: over.email ?? `${username}@example.org`, password }, new Date('2025-03-01T00:00:00Z'));
  if (over.role && over.role !== 'user') await setRole(db, user.id, over.role);
  return { ...user, role: over.role ?? 'user', password };
}

/** Headers of a signed-in browser: session cookie, CSRF cookie, and the matching CSRF header. */
export async function browserHeaders(db: Db, user: User, now = new Date()): Promise<Record<string, string>> {
  const { token } = await createSession(db, user.id, now);
  return { cookie: `${SESSION_COOKIE}=${token}; dp_csrf=${SEED}`, 'x-csrf-token': csrfTokenFor(SECRET, SEED) };
}

/** An anonymous browser's CSRF cookie + form field, for login/signup forms. */
export function anonymousForm(): { cookie: string; field: [string, string] } {
  return { cookie: `dp_csrf=${SEED}`, field: [CSRF_FIELD, csrfTokenFor(SECRET, SEED)] };
}

export async function bearerHeaders(db: Db, user: User): Promise<Record<string, string>> {
  const { token } = await createApiToken(db, user.id, 'test', new Date());
  return { authorization: `Bearer ${token}` };
}

/** A urlencoded form body including the CSRF field. */
export function formBody(fields: Record<string, string>, withCsrf = true): string {
  const p = new URLSearchParams(fields);
  if (withCsrf) p.set(CSRF_FIELD, csrfTokenFor(SECRET, SEED));
  return p.toString();
}
