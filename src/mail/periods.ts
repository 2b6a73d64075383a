/**
 * Digest periods. A period is named in the digest's time zone (DIGEST_TZ): the 07:00 Paris run on
 * March 12 is `daily:2025-03-12` even though it is still March 11 somewhere. Its name is the
 * period half of every outbox idempotency key, so it must not depend on when a retry happens to run.
 */
import { isoWeekOf, formatDay, addDays } from '../domain/dates.ts';
import type { Frequency } from '../storage/subscriptions-repo.ts';

/** The calendar day (YYYY-MM-DD) at `now` in `tz`. */
export function localDay(now: Date, tz: string): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** 0 = Sunday … 6 = Saturday, in `tz`. */
export function localWeekday(now: Date, tz: string): number {
  return new Date(`${localDay(now, tz)}T00:00:00Z`).getUTCDay();
}

export function isWeekend(now: Date, tz: string): boolean {
  const d = localWeekday(now, tz);
  return d === 0 || d === 6;
}

export function periodKey(frequency: Frequency, now: Date, tz: string): string {
  const day = localDay(now, tz);
  return frequency === 'daily' ? `daily:${day}` : `weekly:${isoWeekOf(day)}`;
}

/** "Mar 12" (daily) or "Week of Mar 6" (weekly, the seven days ending on the run's day). */
export function periodLabel(frequency: Frequency, now: Date, tz: string): string {
  const day = localDay(now, tz);
  return frequency === 'daily' ? formatDay(day, false) : `Week of ${formatDay(addDays(day, -6), false)}`;
}

/** The heading above the date: "Thursday, March 12". */
export function longLabel(frequency: Frequency, now: Date, tz: string): string {
  const day = localDay(now, tz);
  const d = new Date(`${day}T00:00:00Z`);
  const long = d.toLocaleDateString('en-US', { timeZone: 'UTC', weekday: 'long', month: 'long', day: 'numeric' });
  if (frequency === 'daily') return long;
  const start = new Date(`${addDays(day, -6)}T00:00:00Z`).toLocaleDateString('en-US', { timeZone: 'UTC', month: 'long', day: 'numeric' });
  return `The week of ${start} – ${d.toLocaleDateString('en-US', { timeZone: 'UTC', month: 'long', day: 'numeric' })}`;
}
