/**
 * The world the HTTP fuzzer (test/fuzz.test.ts, bench/fuzz.ts) runs in: the real app over a real
 * SQLite file, seeded with papers (new- and old-style ids), users of every role, comments and a
 * subscriber, so that generated requests reach handlers' deep paths and not only their 404s.
 *
 * Credentials are minted fresh for every case: a fuzzed `POST /logout` or token revocation must not
 * quietly turn the rest of the run anonymous.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Hono } from 'hono';
import { openDatabase, type Db } from '../../src/storage/db.ts';
import { createApp } from '../../src/web/app.ts';
import { testConfig, type Config } from '../../src/config.ts';
import type { User } from '../../src/domain/user.ts';
import { createApiToken, createSession } from '../../src/services/auth.ts';
import { createComment } from '../../src/services/comments.ts';
import { upsertPapers } from '../../src/storage/papers-repo.ts';
import { insertPendingSubscriber } from '../../src/storage/subscriptions-repo.ts';
import { signToken } from '../../src/mail/tokens.ts';
import { csrfTokenFor, SESSION_COOKIE } from '../../src/web/middleware/auth.ts';
import { makeUser } from './community.ts';
import { paperRecord, seedFeatured } from './db.ts';

const CSRF_SEED = 'fuzz-csrf-seed';

export type AuthMode = 'anonymous' | 'anonymous-csrf' | 'user' | 'editor' | 'admin' | 'user-bad-csrf' | 'bearer-user' | 'bearer-admin' | 'bearer-bogus' | 'stale-session';
export const AUTH_MODES: readonly AuthMode[] = ['anonymous', 'anonymous-csrf', 'user', 'editor', 'admin', 'user-bad-csrf', 'bearer-user', 'bearer-admin', 'bearer-bogus', 'stale-session'];

/** Valid values to draw path parameters, query values and body fields from. */
export interface Pools {
  paperIds: string[];
  days: string[];
  weeks: string[];
  months: string[];
  usernames: string[];
  commentIds: number[];
  tokens: string[];
}

export interface World {
  app: Hono;
  db: Db;
  file: string;
  config: Config;
  pools: Pools;
  /** Headers for an auth mode, with a fresh session/token where one is needed. */
  authHeaders(mode: AuthMode): Promise<Record<string, string>>;
  /** Advances the clock (rate-limit windows pass, so later cases still reach handlers). */
  tick(): void;
  /** Undoes what a fuzzed admin may have done to the fixtures (bans) that would narrow later cases. */
  reset(): Promise<void>;
  cleanup(): Promise<void>;
}

export async function fuzzWorld(): Promise<World> {
  // Submissions and editor features may fetch unknown ids from arXiv: never from a fuzzer.
  process.env.OFFLINE = '1';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-fuzz-'));
  const file = path.join(dir, 'fuzz.sqlite');
  const db = await openDatabase(file);
  let t = Date.parse('2025-03-12T12:00:00Z');
  const now = () => new Date(t);
  const config = testConfig({ dataDir: dir, secret: 'fuzz-secret' });
  const app = createApp({ db, config, now });

  const days = ['2025-03-10', '2025-03-11', '2025-03-12'];
  const records = [
    ...Array.from({ length: 6 }, (_, i) => ({ record: paperRecord({ id: `2503.${String(20001 + i)}` }), day: days[i % 3]!, upvotes: i })),
    { record: paperRecord({ id: 'math/9310227', publishedAt: '1993-10-27' }), day: '2025-03-11', upvotes: 0 },
    { record: paperRecord({ id: 'hep-th/0101001', publishedAt: '2001-01-01' }), day: '2025-03-12', upvotes: 2 },
  ];
  await seedFeatured(db, records);
  const unfeatured = paperRecord({ id: '2503.29999', publishedAt: '2025-03-11' });
  await upsertPapers(db, [unfeatured], now().toISOString());

  const user = await makeUser(db, { username: 'fuzz_user' });
  const editor = await makeUser(db, { username: 'fuzz_editor', role: 'editor' });
  const admin = await makeUser(db, { username: 'fuzz_admin', role: 'admin' });
  const commentIds: number[] = [];
  for (const [i, r] of records.slice(0, 4).entries()) {
    const id = await createComment(db, i % 2 ? user : admin, { paperId: r.record.id, text: `Seed comment ${i} with **markdown**` }, now());
    commentIds.push(id, await createComment(db, user, { paperId: r.record.id, text: `Reply ${i}`, parentId: id }, now()));
  }
  const sub = await insertPendingSubscriber(db, { email: 'fuzz@example.org', frequency: 'daily', topics: ['transformers'], now: now().toISOString() });
  const tokens = (['confirm', 'unsubscribe', 'manage'] as const).map((p) => signToken(config.secret, p, sub.id, sub.email, null));

  const pools: Pools = {
    paperIds: [...records.map((r) => r.record.id), unfeatured.id, '2503.20001v2', '9999.99999', '2503.2000'],
    days: [...days, '2025-02-30', '1970-01-01', '2099-12-31'],
    weeks: ['2025-W11', '2025-W53', '2026-W53', '2025-W00'],
    months: ['2025-03', '2025-13', '0000-01'],
    usernames: [user.username, editor.username, admin.username, 'nobody', 'AK', 'ak'],
    commentIds: [...commentIds, 0, 999_999_999_999_999],
    tokens: [...tokens, '1.0.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', ''],
  };

  const csrf = csrfTokenFor(config.secret, CSRF_SEED);
  const session = async (u: User) => (await createSession(db, u.id, now())).token;
  const bearer = async (u: User) => (await createApiToken(db, u.id, 'fuzz', now())).token;
  const browser = (token: string, csrfValue = csrf) => ({ cookie: `${SESSION_COOKIE}=${token}; dp_csrf=${CSRF_SEED}`, 'x-csrf-token': csrfValue });

  return {
    app,
    db,
    file,
    config,
    pools,
    async authHeaders(mode): Promise<Record<string, string>> {
      switch (mode) {
        case 'anonymous': return {};
        case 'anonymous-csrf': return { cookie: `dp_csrf=${CSRF_SEED}`, 'x-csrf-token': csrf };
        case 'user': return browser(await session(user));
        case 'editor': return browser(await session(editor));
        case 'admin': return browser(await session(admin));
        case 'user-bad-csrf': return browser(await session(user), 'not-the-token');
        case 'bearer-user': return { authorization: `Bearer ${await bearer(user)}` };
        case 'bearer-admin': return { authorization: `Bearer ${await bearer(admin)}` };
        case 'bearer-bogus': return { authorization: 'Bearer dp_bogus' };
        case 'stale-session': return browser('expired-or-forged-session-token');
      }
    },
    tick() {
      t += 7_000;
    },
    async reset() {
      await db.kysely.updateTable('users').set({ banned_at: null }).where('id', 'in', [user.id, editor.id, admin.id]).execute();
    },
    async cleanup() {
      await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
