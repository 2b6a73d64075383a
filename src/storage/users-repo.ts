import type { Selectable } from 'kysely';
import type { Db } from './db.ts';
import type { UsersTable } from './schema.ts';
import type { Role, User } from '../domain/user.ts';

export type UserRow = Selectable<UsersTable>;

export function rowToUser(r: UserRow): User {
  return { id: Number(r.id), username: r.username, email: r.email, role: r.role as Role, createdAt: r.created_at, bannedAt: r.banned_at };
}

export async function insertUser(db: Db, u: { username: string; email: string; passwordHash: string; role: Role; now: string }): Promise<User> {
  const row = await db.kysely
    .insertInto('users')
    .values({ username: u.username, email: u.email, password_hash: u.passwordHash, role: u.role, created_at: u.now, banned_at: null, locked_until: null })
    .returningAll()
    .executeTakeFirstOrThrow();
  return rowToUser(row);
}

/** Usernames and emails are matched case-insensitively: "Alice" and "alice" are one account. */
export async function findUserRowByLogin(db: Db, login: string): Promise<UserRow | undefined> {
  const l = login.trim().toLowerCase();
  return db.kysely
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb.or([eb(eb.fn('lower', ['username']), '=', l), eb(eb.fn('lower', ['email']), '=', l)]))
    .executeTakeFirst();
}

export async function findUserByUsername(db: Db, username: string): Promise<User | null> {
  const r = await db.kysely.selectFrom('users').selectAll().where((eb) => eb(eb.fn('lower', ['username']), '=', username.toLowerCase())).executeTakeFirst();
  return r ? rowToUser(r) : null;
}

export async function findUserById(db: Db, id: number): Promise<User | null> {
  const r = await db.kysely.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? rowToUser(r) : null;
}

export async function usernameOrEmailTaken(db: Db, username: string, email: string): Promise<'username' | 'email' | null> {
  const rows = await db.kysely
    .selectFrom('users')
    .select(['username', 'email'])
    .where((eb) => eb.or([eb(eb.fn('lower', ['username']), '=', username.toLowerCase()), eb(eb.fn('lower', ['email']), '=', email.toLowerCase())]))
    .execute();
  if (rows.some((r) => r.username.toLowerCase() === username.toLowerCase())) return 'username';
  if (rows.length) return 'email';
  return null;
}

export async function recordLoginFailure(db: Db, userId: number, lockedUntil: string | null): Promise<void> {
  await db.kysely
    .updateTable('users')
    .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1), locked_until: lockedUntil }))
    .where('id', '=', userId)
    .execute();
}

export async function resetLoginFailures(db: Db, userId: number): Promise<void> {
  await db.kysely.updateTable('users').set({ failed_logins: 0, locked_until: null }).where('id', '=', userId).execute();
}

export async function setBanned(db: Db, userId: number, bannedAt: string | null): Promise<void> {
  await db.kysely.updateTable('users').set({ banned_at: bannedAt }).where('id', '=', userId).execute();
}

export async function setRole(db: Db, userId: number, role: Role): Promise<void> {
  await db.kysely.updateTable('users').set({ role }).where('id', '=', userId).execute();
}

export async function insertSession(db: Db, s: { idHash: string; userId: number; now: string; expiresAt: string }): Promise<void> {
  await db.kysely.insertInto('sessions').values({ id_hash: s.idHash, user_id: s.userId, created_at: s.now, expires_at: s.expiresAt }).execute();
}

export async function userForSessionHash(db: Db, idHash: string, now: string): Promise<User | null> {
  const r = await db.kysely
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .selectAll('u')
    .where('s.id_hash', '=', idHash)
    .where('s.expires_at', '>', now)
    .executeTakeFirst();
  return r ? rowToUser(r) : null;
}

export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await db.kysely.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

export async function deleteSessionsOf(db: Db, userId: number): Promise<void> {
  await db.kysely.deleteFrom('sessions').where('user_id', '=', userId).execute();
}

export async function insertApiToken(db: Db, t: { userId: number; name: string; tokenHash: string; now: string }): Promise<number> {
  const r = await db.kysely
    .insertInto('api_tokens')
    .values({ user_id: t.userId, name: t.name, token_hash: t.tokenHash, created_at: t.now, last_used_at: null, revoked_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}

export async function userForTokenHash(db: Db, tokenHash: string, now: string): Promise<User | null> {
  const r = await db.kysely
    .selectFrom('api_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .selectAll('u')
    .select('t.id as token_id')
    .where('t.token_hash', '=', tokenHash)
    .where('t.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!r) return null;
  // At most one write a minute per token: every write invalidates the page cache, and a client
  // polling the API must not empty it for everyone else. An UPDATE matching no row is no write.
  const minuteAgo = new Date(Date.parse(now) - 60_000).toISOString();
  await db.kysely
    .updateTable('api_tokens')
    .set({ last_used_at: now })
    .where('id', '=', r.token_id)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', minuteAgo)]))
    .execute();
  return rowToUser(r);
}

export async function listApiTokens(db: Db, userId: number) {
  return db.kysely
    .selectFrom('api_tokens')
    .select(['id', 'name', 'created_at', 'last_used_at', 'revoked_at'])
    .where('user_id', '=', userId)
    .orderBy('id', 'desc')
    .execute();
}

/** Revokes one of the user's own tokens; false if it is not theirs or already revoked. */
export async function revokeApiToken(db: Db, userId: number, tokenId: number, now: string): Promise<boolean> {
  const r = await db.kysely
    .updateTable('api_tokens')
    .set({ revoked_at: now })
    .where('id', '=', tokenId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
