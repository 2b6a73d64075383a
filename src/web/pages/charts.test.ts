import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cumulativeDays, esc, fillDays, papersPerDayLabel, papersPerDaySvg, scoreBarLabel, scoreBarSvg, sparklineLabel, sparklineSvg,
} from './charts.ts';

/** The attributes of the root <svg> element. */
function rootAttrs(svg: string): Record<string, string> {
  const open = /^<svg([^>]*)>/.exec(svg);
  assert.ok(open, 'starts with <svg>');
  return Object.fromEntries([...open[1].matchAll(/([\w:-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
}

function assertWellFormedPicture(svg: string, id: string) {
  const a = rootAttrs(svg);
  assert.equal(a.role, 'img');
  assert.equal(a['aria-labelledby'], `${id}-title`);
  assert.match(a.width, /^\d+$/);
  assert.match(a.height, /^\d+$/);
  assert.equal(a.viewBox, `0 0 ${a.width} ${a.height}`);
  assert.match(svg, new RegExp(`<title id="${id}-title">[^<]+</title>`));
  assert.ok(svg.endsWith('</svg>'));
  // Balanced tags (a cheap well-formedness check: no self-closing rect/title mix-ups).
  for (const tag of ['svg', 'title', 'rect']) {
    const opens = (svg.match(new RegExp(`<${tag}[ >]`, 'g')) ?? []).length;
    const selfClosed = (svg.match(new RegExp(`<${tag}[^>]*/>`, 'g')) ?? []).length;
    const closes = (svg.match(new RegExp(`</${tag}>`, 'g')) ?? []).length;
    assert.equal(opens - selfClosed, closes, `<${tag}> balanced`);
  }
}

test('esc: text and attribute metacharacters', () => {
  assert.equal(esc(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});

test('fillDays: a full window, zeros where no papers, ignores days outside', () => {
  const s = fillDays([{ day: '2026-02-27', count: 9 }, { day: '2026-03-01', count: 4 }, { day: '2026-03-03', count: 2 }], '2026-03-02', 3);
  assert.deepEqual(s, [
    { day: '2026-02-28', value: 0 },
    { day: '2026-03-01', value: 4 },
    { day: '2026-03-02', value: 0 },
  ]);
  assert.equal(fillDays([], '2026-03-31', 90).length, 90);
  assert.equal(fillDays([], '2026-03-31', 90)[0].day, '2026-01-01');
});

test('cumulativeDays: starts from the votes before the window, counts up to each day', () => {
  const s = cumulativeDays([{ day: '2026-01-01', count: 2 }, { day: '2026-03-01', count: 1 }, { day: '2026-03-03', count: 3 }], '2026-03-03', 4);
  assert.deepEqual(s.map((d) => d.value), [2, 3, 3, 6]);
  assert.deepEqual(s.map((d) => d.day), ['2026-02-28', '2026-03-01', '2026-03-02', '2026-03-03']);
});

test('papers per day: one bar per day with papers, labelled with the total and the busiest day', () => {
  const series = fillDays([{ day: '2026-03-10', count: 610 }, { day: '2026-03-20', count: 5 }], '2026-03-31', 90);
  const svg = papersPerDaySvg(series, { id: 'days' });
  assertWellFormedPicture(svg, 'days');
  assert.equal((svg.match(/class="chart-bar"/g) ?? []).length, 2);
  const label = papersPerDayLabel(series);
  assert.equal(label, 'Papers per day, Jan 1, 2026 to Mar 31, 2026: 615 papers on 2 days; the most on Mar 10, 2026 (610)');
  assert.ok(svg.includes(esc(label)));
  // The tallest bar fills the plot; the small one is small but visible.
  const heights = [...svg.matchAll(/class="chart-bar"[^>]*height="([\d.]+)"/g)].map((m) => Number(m[1]));
  assert.ok(heights[0] > 100 && heights[1] >= 1 && heights[1] < 5, String(heights));
  // No text inside (the page labels it in HTML), so it may stretch.
  assert.doesNotMatch(svg, /<text/);
  assert.equal(rootAttrs(svg).preserveAspectRatio, 'none');
});

test('papers per day: an empty window still draws axes and says so', () => {
  const series = fillDays([], '2026-03-31', 90);
  const svg = papersPerDaySvg(series, { id: 'e' });
  assertWellFormedPicture(svg, 'e');
  assert.equal((svg.match(/class="chart-bar"/g) ?? []).length, 0);
  assert.match(papersPerDayLabel(series), /: no papers$/);
});

test('sparkline: a line and area over running totals, y from zero', () => {
  const series = cumulativeDays([{ day: '2026-03-02', count: 1 }, { day: '2026-03-03', count: 1 }], '2026-03-03', 3);
  const svg = sparklineSvg(series, { id: 'spark', width: 100, height: 30 });
  assertWellFormedPicture(svg, 'spark');
  const line = /class="spark-line" d="M([^"]+)"/.exec(svg)![1].split('L').map((p) => p.split(',').map(Number));
  assert.equal(line.length, 3);
  assert.deepEqual(line.map((p) => p[1]), [27, 15, 3]); // 0, 1, 2 of max 2 in a 30 px box with 3 px padding
  assert.equal(sparklineLabel(series), 'Upvotes over the 3 days to Mar 3, 2026: from 0 to 2 upvotes');
  assert.equal(sparklineLabel(cumulativeDays([{ day: '2026-01-01', count: 1 }], '2026-03-03', 30)), 'Upvotes over the 30 days to Mar 3, 2026: 1 upvote, unchanged');
});

test('score bar: segments proportional to each term, zero terms omitted', () => {
  const svg = scoreBarSvg({ votes: 3, comments: 1, freshness: 0 }, { id: 'score', width: 200, height: 10 });
  assertWellFormedPicture(svg, 'score');
  assert.match(svg, /class="seg-votes" x="0" y="0" width="150"/);
  assert.match(svg, /class="seg-comments" x="150" y="0" width="50"/);
  assert.doesNotMatch(svg, /seg-freshness/);
  assert.equal(scoreBarLabel({ votes: 3, comments: 1, freshness: 0 }), 'Score 4.00: upvotes 3.00 (75%), comments 1.00 (25%), freshness 0.00 (0%)');
  // Below one fresh upvote's worth, the bar fills only part of the track.
  const small = scoreBarSvg({ votes: 0, comments: 0, freshness: 0.25 }, { id: 'small', width: 200, height: 10 });
  assert.match(small, /class="seg-freshness" x="0" y="0" width="50"/);
  assert.doesNotMatch(scoreBarSvg({ votes: 0, comments: 0, freshness: 1e-6 }, { id: 'tiny' }), /seg-/);
  const empty = scoreBarSvg({ votes: 0, comments: 0, freshness: 0 }, { id: 'z' });
  assertWellFormedPicture(empty, 'z');
  assert.match(empty, /score-track/);
  assert.match(scoreBarLabel({ votes: 0, comments: 0, freshness: 0 }), /decayed to zero/);
});
