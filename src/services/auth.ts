import crypto from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Db } from '../storage/db.ts';
import { AppError } from './errors.ts';
import { PASSWORD_MAX, PASSWORD_MIN, USERNAME_RE, lockoutSeconds, type Role, type User } from '../domain/user.ts';
import {
  deleteSession, findUserRowByLogin, insertApiToken, insertSession, insertUser, recordLoginFailure, resetLoginFailures,
  rowToUser, userForSessionHash, userForTokenHash, usernameOrEmailTaken,
} from '../storage/users-repo.ts';

/** OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): ~25 ms here, slow enough for guessing. */
const ARGON2 = { algorithm: 2 as const, memoryCost: 19_456, timeCost: 2, parallelism: 1 };
const SESSION_DAYS = 30;
/** Verifying against this when the login is unknown keeps timing from revealing which accounts exist. */
let dummyHash: Promise<string> | null = null;

export const EMAIL_RE = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function sha256(s: string): string {
  return crypto.createHash('sha256').update(s).digest('hex');
}

function randomToken(prefix = ''): string {
  return prefix + crypto.randomBytes(32).toString('base64url');
}

export const ROLES: readonly Role[] = ['user', 'editor', 'admin'];

/** A role named on the command line or in a form; anything else is the caller's mistake. */
export function parseRole(raw: string): Role {
  if ((ROLES as readonly string[]).includes(raw)) return raw as Role;
  throw AppError.badRequest(`Unknown role "${raw}": expected one of ${ROLES.join(', ')}`, 'role');
}

export interface SignupInput {
  username: string;
  email: string;
  password: string;
  role?: Role;
}

export function validateSignup(input: SignupInput): void {
  if (!USERNAME_RE.test(input.username)) throw AppError.badRequest('Username must be 2–32 characters: letters, digits, "_" or "-"', 'username');
  if (input.email.length > 254 || !EMAIL_RE.test(input.email)) throw AppError.badRequest('Enter a valid email address', 'email');
  if (input.password.length < PASSWORD_MIN) throw AppError.badRequest(`Password must be at least ${PASSWORD_MIN} characters`, 'password');
  if (input.password.length > PASSWORD_MAX) throw AppError.badRequest(`Password must be at most ${PASSWORD_MAX} characters`, 'password');
}

export async function signup(db: Db, input: SignupInput, now: Date): Promise<User> {
  validateSignup(input);
  const taken = await usernameOrEmailTaken(db, input.username, input.email);
  if (taken === 'username') throw new AppError('conflict', 'That username is taken', { param: 'username' });
  if (taken === 'email') throw new AppError('conflict', 'An account with that email already exists; log in instead', { param: 'email' });
  const passwordHash = await hash(input.password, ARGON2);
  try {
    return await insertUser(db, { username: input.username, email: input.email.toLowerCase(), passwordHash, role: input.role ?? 'user', now: now.toISOString() });
  } catch (err) {
    // Two signups racing for one name: the unique index decides.
    if (/unique/i.test(String((err as Error).message))) throw new AppError('conflict', 'That username or email is taken', { param: 'username' });
    throw err;
  }
}

/**
 * Checks a password. Wrong passwords grow the account's lockout (domain/user.ts lockoutSeconds);
 * a locked account is refused before the password is even checked.
 */
export async function authenticate(db: Db, login: string, password: string, now: Date): Promise<User> {
  const row = await findUserRowByLogin(db, login);
  if (!row) {
    dummyHash ??= hash('not-a-real-password', ARGON2);
    await verify(await dummyHash, password.slice(0, PASSWORD_MAX)).catch(() => false);
    throw new AppError('unauthorized', 'Wrong username or password');
  }
  if (row.locked_until && row.locked_until > now.toISOString()) {
    const retryAfter = Math.ceil((Date.parse(row.locked_until) - now.getTime()) / 1000);
    throw new AppError('rate_limited', `Too many failed logins; try again in ${retryAfter} s`, { retryAfter });
  }
  const ok = await verify(row.password_hash, password.slice(0, PASSWORD_MAX)).catch(() => false);
  if (!ok) {
    const lock = lockoutSeconds(Number(row.failed_logins) + 1);
    await recordLoginFailure(db, Number(row.id), lock ? new Date(now.getTime() + lock * 1000).toISOString() : null);
    throw new AppError('unauthorized', 'Wrong username or password');
  }
  if (Number(row.failed_logins) > 0) await resetLoginFailures(db, Number(row.id));
  return rowToUser(row);
}

/** Returns the cookie value; only its hash is stored. */
export async function createSession(db: Db, userId: number, now: Date): Promise<{ token: string; expiresAt: Date }> {
  const token = randomToken();
  const expiresAt = new Date(now.getTime() + SESSION_DAYS * 86_400_000);
  await insertSession(db, { idHash: sha256(token), userId, now: now.toISOString(), expiresAt: expiresAt.toISOString() });
  return { token, expiresAt };
}

export async function userForSession(db: Db, token: string, now: Date): Promise<User | null> {
  if (!token || token.length > 100) return null;
  return userForSessionHash(db, sha256(token), now.toISOString());
}

export async function endSession(db: Db, token: string): Promise<void> {
  await deleteSession(db, sha256(token));
}

/** Personal API tokens look like `dp_<43 chars>`; the prefix lets secret scanners recognise them. */
export async function createApiToken(db: Db, userId: number, name: string, now: Date): Promise<{ id: number; token: string }> {
  const label = name.trim();
  if (label.length < 1 || label.length > 64) throw AppError.badRequest('Token name must be 1–64 characters', 'name');
  const token = randomToken('dp_');
  const id = await insertApiToken(db, { userId, name: label, tokenHash: sha256(token), now: now.toISOString() });
  return { id, token };
}

export async function userForApiToken(db: Db, token: string, now: Date): Promise<User | null> {
  if (!token.startsWith('dp_') || token.length > 100) return null;
  return userForTokenHash(db, sha256(token), now.toISOString());
}

/** Writes are refused for banned users even though they can still sign in and read. */
export function assertCanWrite(user: User | null): User {
  if (!user) throw new AppError('unauthorized', 'Log in first');
  if (user.bannedAt) throw new AppError('forbidden', 'This account is banned');
  return user;
}
