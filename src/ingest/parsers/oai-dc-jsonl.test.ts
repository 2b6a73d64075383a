import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanDoi, parseOaiDcJsonl } from './oai-dc-jsonl.ts';
import { DATA, collect, linesOf, readLines } from './testing.ts';

test('cleaned oai_dc dataset: part-0000 parses fully; authors, TeX and versions normalised', async () => {
  const items = await collect(parseOaiDcJsonl(readLines(`${DATA}arxiv-cs-2007-2017/part-0000.jsonl.gz`)));
  assert.equal(items.length, 7664);
  assert.equal(items.filter((i) => !i.ok).length, 0);
  const first = items[0];
  assert.ok(first.ok);
  assert.deepEqual(first.record, {
    id: 'math/9310227',
    version: 1,
    title: 'A linear construction for certain Kerdock and Preparata codes',
    abstract:
      'The Nordstrom-Robinson, Kerdock, and (slightly modified) Preparata codes are shown to be linear over $\\ZZ_4$, the integers $\\bmod~4$. The Kerdock and Preparata codes are duals over $\\ZZ_4$, and the Nordstrom-Robinson code is self-dual. All these codes are just extended cyclic codes over $\\ZZ_4$. This provides a simple definition for these codes and explains why their Hamming weight distributions are dual to each other. First- and second-order Reed-Muller codes are also linear codes over $\\ZZ_4$, but Hamming codes in general are not, nor is the Golay code.',
    authors: ['A. R. Calderbank', 'A. Roger Hammons Jr.', 'P. Vijay Kumar', 'N. J. A. Sloane', 'Patrick Solé'],
    categories: ['math.CO', 'cs.IT'],
    comment: '5 pages',
    journalRef: 'Bull. Amer. Math. Soc. (N.S.) 29 (1993) 218-222',
    doi: null,
    publishedAt: '1993-09-30',
    updatedAt: '1993-09-30',
    listedDay: null,
    source: 'oai-dc',
  });
  // A wrapped journal ref is collapsed.
  const ling = items.find((i) => i.ok && i.record.id === 'cs/9402101');
  assert.ok(ling?.ok);
  assert.equal(ling.record.journalRef, 'Journal of Artificial Intelligence Research, Vol 1, (1994), 209-229');
  assert.deepEqual(ling.record.authors, ['C. X. Ling']);
});

test('cleaned oai_dc: several version dates → first is published, last updated, count is the version', async () => {
  const line = JSON.stringify({ id: '1703.08013', title: 'T', abstract: 'A', authors: ['Tan, Mao'], categories: ['cs.CV'], dates: ['2017-03-23', '2017-05-01', '2018-01-02'], doi: 'doi:10.1/x; 10.2/y', journal_ref: null });
  const [item] = await collect(parseOaiDcJsonl(linesOf([line])));
  assert.ok(item.ok);
  assert.equal(item.record.version, 3);
  assert.equal(item.record.publishedAt, '2017-03-23');
  assert.equal(item.record.updatedAt, '2018-01-02');
  assert.equal(item.record.doi, '10.1/x');
  assert.deepEqual(item.record.authors, ['Mao Tan']);
});

test('raw oai_dc harvest lines: all 20 parse; comment, DOI, journal ref, categories extracted', async () => {
  const items = await collect(parseOaiDcJsonl(readLines(`${DATA}fixtures/oai-dc-json/arxiv_meta-2016-03-15-first20.jsonl`)));
  assert.equal(items.length, 20);
  assert.ok(items.every((i) => i.ok));
  const first = items[0];
  assert.ok(first.ok);
  assert.deepEqual({ ...first.record, abstract: first.record.abstract?.slice(0, 60) }, {
    id: '0711.3666',
    version: 1,
    title: 'Stability of Transonic Shock-Fronts in Three-Dimensional Conical Steady Potential Flow past a Perturbed Cone',
    abstract: 'For an upstream supersonic flow past a straight-sided cone i',
    authors: ['Gui-Qiang Chen', 'Beixiang Fang'],
    // "Mathematics - Analysis of PDEs", "Mathematical Physics"; the MSC codes map to nothing.
    categories: ['math.AP', 'math-ph'],
    comment: '33 pages, 3 figures',
    journalRef: 'Discrete Contin.Dyn.Syst. 23(1-2) (2009) 85-114',
    doi: '10.3934/dcds.2009.23.85',
    publishedAt: '2007-11-22',
    updatedAt: '2007-11-22',
    listedDay: null,
    source: 'oai-dc',
  });
  assert.ok(first.record.abstract!.includes('in $\\R^3$ whose'));
  const byId = new Map(items.map((i) => (i.ok ? [i.record.id, i.record] : ['', null])));
  const twoVersions = byId.get('0808.0051')!;
  assert.equal(twoVersions.version, 2);
  assert.equal(twoVersions.updatedAt, '2016-03-12');
  assert.equal(twoVersions.journalRef, null);
  assert.equal(byId.get('0906.3039')!.comment, null);
  // Two DOIs, the first with a trailing ";".
  assert.equal(byId.get('1111.3123')!.doi, '10.1088/1742-6596/343/1/012135');
  assert.deepEqual(byId.get('1107.3342')!.categories, ['cs.GT', 'cs.AI', 'cs.MA']);
});

test('oai_dc: malformed lines are rejected and parsing continues', async () => {
  const items = await collect(
    parseOaiDcJsonl(
      linesOf([
        '["0711.3666"]',
        '["0711.3666",{"title":[],"creator":[]}]',
        '["not-an-id",{"title":["T"]}]',
        '{"id":"0704.0001","title":"Good"}',
        '{"id":"0704.0002","title":"Bad"',
      ]),
    ),
  );
  assert.deepEqual(
    items.map((i) => (i.ok ? [i.line, i.record.id] : [i.line, i.reason.split(':')[0]])),
    [
      [1, 'expected ["<id>", {<Dublin Core fields>}]'],
      [2, 'missing "title"'],
      [3, 'invalid arXiv id "not-an-id"'],
      [4, '0704.0001'],
      [5, 'invalid JSON'],
    ],
  );
});

test('cleanDoi', () => {
  assert.equal(cleanDoi('doi:10.1016/j.apsusc.2011.09.060'), '10.1016/j.apsusc.2011.09.060');
  assert.equal(cleanDoi('https://doi.org/10.1/abc.'), '10.1/abc');
  assert.equal(cleanDoi('  '), null);
  assert.equal(cleanDoi(null), null);
});
