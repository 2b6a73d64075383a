export type Role = 'user' | 'editor' | 'admin';

export interface User {
  id: number;
  username: string;
  email: string;
  role: Role;
  createdAt: string;
  bannedAt: string | null;
}

/** 2–32 characters: letters, digits, `_` and `-`; it appears in URLs (/u/<username>). */
export const USERNAME_RE = /^[A-Za-z0-9_-]{2,32}$/;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

export function canEdit(role: Role): boolean {
  return role === 'editor' || role === 'admin';
}

export function isAdmin(role: Role): boolean {
  return role === 'admin';
}

/**
 * Growing lockout after repeated wrong passwords: none for the first 4 failures, then 30 s,
 * doubling per further failure, capped at an hour. Slows guessing to a crawl without letting an
 * attacker lock a real user out for long.
 */
export function lockoutSeconds(failedLogins: number): number {
  const FREE_ATTEMPTS = 4;
  if (failedLogins <= FREE_ATTEMPTS) return 0;
  return Math.min(30 * 2 ** (failedLogins - FREE_ATTEMPTS - 1), 3600);
}
