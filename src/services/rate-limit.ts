import type { Db } from '../storage/db.ts';
import { AppError } from './errors.ts';

/**
 * Fixed-window limits per action. Counters live in the database so that every web instance
 * shares them. The numbers allow any human pace and stop scripts.
 */
export const LIMITS = {
  login: { limit: 20, windowSec: 15 * 60 },
  signup: { limit: 5, windowSec: 60 * 60 },
  vote: { limit: 120, windowSec: 60 },
  submit: { limit: 20, windowSec: 60 * 60 },
  comment: { limit: 10, windowSec: 60 },
  subscribe: { limit: 10, windowSec: 60 * 60 },
} as const;

export type LimitedAction = keyof typeof LIMITS;

/** Counts one hit against `action:subject`; throws 429 with Retry-After once over the limit. */
export async function hitRateLimit(db: Db, action: LimitedAction, subject: string, now: Date, limits: Partial<Record<LimitedAction, { limit: number; windowSec: number }>> = {}): Promise<void> {
  const { limit, windowSec } = limits[action] ?? LIMITS[action];
  const t = Math.floor(now.getTime() / 1000);
  const expired = t - windowSec;
  const row = await db.kysely
    .insertInto('rate_limits')
    .values({ key: `${action}:${subject}`, window_start: t, count: 1 })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet((eb) => ({
        count: eb.case().when('rate_limits.window_start', '<=', expired).then(1).else(eb('rate_limits.count', '+', 1)).end(),
        window_start: eb.case().when('rate_limits.window_start', '<=', expired).then(t).else(eb.ref('rate_limits.window_start')).end(),
      })),
    )
    .returning(['count', 'window_start'])
    .executeTakeFirstOrThrow();
  if (Number(row.count) > limit) {
    const retryAfter = Math.max(1, Number(row.window_start) + windowSec - t);
    throw new AppError('rate_limited', `Too many ${action} attempts; try again in ${retryAfter} s`, { retryAfter });
  }
}
