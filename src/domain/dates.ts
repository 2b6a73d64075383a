/**
 * Calendar rules for feeds: days (YYYY-MM-DD), ISO-8601 weeks (YYYY-Www, weeks start on Monday and
 * week 1 holds the year's first Thursday) and months (YYYY-MM). All in UTC: a feed day is a label,
 * not an instant, and must not shift with the server's time zone.
 */
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const WEEK = /^(\d{4})-W(\d{2})$/;
const MONTH = /^(\d{4})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

export interface DayRange {
  /** First day, inclusive. */
  start: string;
  /** Last day, inclusive. */
  end: string;
}

export function isValidDay(s: string): boolean {
  const m = DAY.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

export function toDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function dayToDate(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

export function addDays(day: string, n: number): string {
  return toDay(new Date(dayToDate(day).getTime() + n * MS_PER_DAY));
}

/** Number of ISO weeks in a year: 53 when Jan 1 is a Thursday, or a Wednesday in a leap year. */
export function isoWeeksInYear(year: number): number {
  const jan1 = new Date(Date.UTC(year, 0, 1)).getUTCDay();
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return jan1 === 4 || (leap && jan1 === 3) ? 53 : 52;
}

export function isValidWeek(s: string): boolean {
  const m = WEEK.exec(s);
  if (!m) return false;
  const w = Number(m[2]);
  return w >= 1 && w <= isoWeeksInYear(Number(m[1]));
}

export function isValidMonth(s: string): boolean {
  const m = MONTH.exec(s);
  return !!m && Number(m[2]) >= 1 && Number(m[2]) <= 12;
}

/** The ISO week label of a day, e.g. 2025-12-29 → 2026-W01. */
export function isoWeekOf(day: string): string {
  const d = dayToDate(day);
  const weekday = (d.getUTCDay() + 6) % 7; // Monday = 0
  const thursday = new Date(d.getTime() + (3 - weekday) * MS_PER_DAY);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * MS_PER_DAY));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

export function weekRange(week: string): DayRange {
  const m = WEEK.exec(week);
  if (!m || !isValidWeek(week)) throw new RangeError(`not an ISO week: ${week}`);
  const year = Number(m[1]);
  const jan4 = Date.UTC(year, 0, 4);
  const jan4Weekday = (new Date(jan4).getUTCDay() + 6) % 7;
  const week1Monday = jan4 - jan4Weekday * MS_PER_DAY;
  const start = toDay(new Date(week1Monday + (Number(m[2]) - 1) * 7 * MS_PER_DAY));
  return { start, end: addDays(start, 6) };
}

export function monthOf(day: string): string {
  return day.slice(0, 7);
}

export function monthRange(month: string): DayRange {
  if (!isValidMonth(month)) throw new RangeError(`not a month: ${month}`);
  const [y, m] = month.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { start: `${month}-01`, end: `${month}-${String(last).padStart(2, '0')}` };
}

export function addWeeks(week: string, n: number): string {
  return isoWeekOf(addDays(weekRange(week).start, 7 * n));
}

export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return d.toISOString().slice(0, 7);
}

/** "Mar 12" for the current year's pages, "Mar 12, 2025" when the year matters. */
// Built once: toLocaleDateString builds a formatter per call, which dominated feed rendering (hundreds of dates a page).
const DAY_FORMAT = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric', year: 'numeric' });
const DAY_FORMAT_NO_YEAR = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric' });
const MONTH_FORMAT = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'long', year: 'numeric' });

export function formatDay(day: string, withYear = true): string {
  return (withYear ? DAY_FORMAT : DAY_FORMAT_NO_YEAR).format(dayToDate(day));
}

export function formatMonth(month: string): string {
  return MONTH_FORMAT.format(dayToDate(`${month}-01`));
}
