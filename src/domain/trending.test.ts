import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decay, explainTrending, trendingScore } from './trending.ts';

const now = new Date('2025-03-12T12:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);

test('a new paper with no activity scores its freshness bonus', () => {
  assert.equal(trendingScore({ now, paperTime: now, voteTimes: [], commenterTimes: [] }), 1);
});

test('exact numbers at a pinned time', () => {
  const e = explainTrending({ now, paperTime: hoursAgo(24), voteTimes: [hoursAgo(0), hoursAgo(24), hoursAgo(48)], commenterTimes: [hoursAgo(12)] });
  // votes: 1 + 0.5 + 0.25; comments: 0.5 · 2^(-0.5); freshness: 0.5
  assert.equal(e.contributions.votes, 1.75);
  assert.equal(e.contributions.comments, 0.5 * 2 ** -0.5);
  assert.equal(e.contributions.freshness, 0.5);
  assert.equal(e.score, 1.75 + 0.5 * 2 ** -0.5 + 0.5);
  assert.equal(Number(e.score.toFixed(6)), 2.603553);
  assert.equal(e.votes24h, 2);
  assert.equal(e.votes7d, 3);
  assert.equal(e.ageHours, 24);
});

test('fresh momentum beats an old pile of votes', () => {
  const old = trendingScore({ now, paperTime: hoursAgo(24 * 6), voteTimes: Array.from({ length: 20 }, () => hoursAgo(24 * 5)), commenterTimes: [] });
  const fresh = trendingScore({ now, paperTime: hoursAgo(2), voteTimes: [hoursAgo(1), hoursAgo(1)], commenterTimes: [] });
  assert.ok(fresh > old, `${fresh} > ${old}`);
});

test('re-decaying a stored score equals recomputing it', () => {
  const input = { paperTime: hoursAgo(30), voteTimes: [hoursAgo(5), hoursAgo(29)], commenterTimes: [hoursAgo(3)] };
  const later = new Date(now.getTime() + 17 * 3_600_000);
  const stored = trendingScore({ now, ...input });
  assert.ok(Math.abs(decay(stored, now, later) - trendingScore({ now: later, ...input })) < 1e-12);
});
