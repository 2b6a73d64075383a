import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidDay, isValidWeek, isValidMonth, isoWeekOf, weekRange, monthRange, addWeeks, addMonths, isoWeeksInYear, addDays } from './dates.ts';

test('days: calendar validity, leap years', () => {
  assert.equal(isValidDay('2025-03-12'), true);
  assert.equal(isValidDay('2024-02-29'), true);
  assert.equal(isValidDay('2025-02-29'), false);
  assert.equal(isValidDay('2025-13-40'), false);
  assert.equal(isValidDay('2025-3-12'), false);
  assert.equal(isValidDay('2025-03-12T00:00'), false);
  assert.equal(addDays('2024-12-31', 1), '2025-01-01');
  assert.equal(addDays('2025-03-01', -1), '2025-02-28');
});

test('ISO weeks: year boundaries and 53-week years', () => {
  assert.equal(isoWeekOf('2025-12-29'), '2026-W01');
  assert.equal(isoWeekOf('2021-01-03'), '2020-W53');
  assert.equal(isoWeekOf('2026-01-01'), '2026-W01');
  assert.equal(isoWeekOf('2025-03-12'), '2025-W11');
  assert.equal(isoWeeksInYear(2020), 53);
  assert.equal(isoWeeksInYear(2026), 53);
  assert.equal(isoWeeksInYear(2025), 52);
  assert.equal(isValidWeek('2025-W60'), false);
  assert.equal(isValidWeek('2025-W53'), false);
  assert.equal(isValidWeek('2026-W53'), true);
  assert.equal(isValidWeek('2025-W00'), false);
  assert.deepEqual(weekRange('2026-W01'), { start: '2025-12-29', end: '2026-01-04' });
  assert.deepEqual(weekRange('2020-W53'), { start: '2020-12-28', end: '2021-01-03' });
  assert.equal(addWeeks('2025-W52', 1), '2026-W01');
  assert.equal(addWeeks('2026-W01', -1), '2025-W52');
});

test('months', () => {
  assert.equal(isValidMonth('2025-02'), true);
  assert.equal(isValidMonth('2025-13'), false);
  assert.deepEqual(monthRange('2024-02'), { start: '2024-02-01', end: '2024-02-29' });
  assert.deepEqual(monthRange('2025-12'), { start: '2025-12-01', end: '2025-12-31' });
  assert.equal(addMonths('2025-12', 1), '2026-01');
  assert.equal(addMonths('2025-01', -1), '2024-12');
});
