import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WILSON_Z, wilsonLowerBound } from './wilson.ts';

const z2 = WILSON_Z * WILSON_Z; // 3.8416

test('no votes scores 0; only downvotes scores 0', () => {
  assert.equal(wilsonLowerBound(0, 0), 0);
  assert.equal(wilsonLowerBound(0, 1), 0);
  assert.equal(wilsonLowerBound(0, 50), 0);
});

test('all upvotes: the bound reduces to n / (n + z²)', () => {
  // p̂ = 1 makes the square root z/2n, so the numerator is exactly 1.
  assert.ok(Math.abs(wilsonLowerBound(1, 0) - 1 / (1 + z2)) < 1e-15);
  assert.equal(Number(wilsonLowerBound(1, 0).toFixed(6)), 0.206543);
  assert.equal(Number(wilsonLowerBound(5, 0).toFixed(6)), 0.565509);
  assert.equal(Number(wilsonLowerBound(30, 0).toFixed(6)), 0.886483);
});

test('exact numbers with mixed votes', () => {
  // n = 2, p̂ = 0.5: (0.5 + 0.9604 − 1.96·√(0.125 + 0.2401)) / 2.9208
  const expected = (0.5 + z2 / 4 - WILSON_Z * Math.sqrt(0.25 / 2 + z2 / 16)) / (1 + z2 / 2);
  assert.equal(wilsonLowerBound(1, 1), expected);
  assert.equal(Number(wilsonLowerBound(1, 1).toFixed(6)), 0.094529);
  assert.equal(Number(wilsonLowerBound(8, 2).toFixed(6)), 0.490157);
  assert.equal(Number(wilsonLowerBound(95, 5).toFixed(6)), 0.888248);
  assert.equal(Number(wilsonLowerBound(100, 60).toFixed(6)), 0.54788);
});

test('evidence and approval both count', () => {
  // The plain ratio would rank 1-0 (100 %) above 95-5 (95 %); net votes would rank 100-60 above 30-0.
  assert.ok(wilsonLowerBound(95, 5) > wilsonLowerBound(1, 0));
  assert.ok(wilsonLowerBound(30, 0) > wilsonLowerBound(100, 60));
  assert.ok(wilsonLowerBound(8, 2) > wilsonLowerBound(1, 0));
});

test('negative counts are rejected', () => {
  assert.throws(() => wilsonLowerBound(-1, 0), RangeError);
});
