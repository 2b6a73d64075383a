import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keywordTerms, normaliseDate, parseQuery, toFtsMatch } from './query.ts';
import { porterStem } from './porter.ts';
import { highlight, snippet } from './snippet.ts';

test('free words, phrases and excludes', () => {
  const p = parseQuery('diffusion "video generation" -gan -"style transfer"');
  assert.deepEqual(p.terms, ['diffusion']);
  assert.deepEqual(p.phrases, [['video', 'generation']]);
  assert.deepEqual(p.excludes, [['gan'], ['style', 'transfer']]);
  assert.equal(toFtsMatch(p), '(("diffusion") AND "video generation") NOT ("gan" OR "style transfer")');
});

test('filters: author, cat, year, after/before, has:code; each shown with a removal query', () => {
  const p = parseQuery('transformers author:"Geoffrey Hinton" cat:cs.CL year:2024 after:2025-01 before:2025-06-30 has:code');
  assert.deepEqual(p.authors, [['geoffrey', 'hinton']]);
  assert.deepEqual(p.categories, ['cs.CL']);
  assert.equal(p.year, 2024);
  assert.equal(p.after, '2025-01-01');
  assert.equal(p.before, '2025-06-30');
  assert.equal(p.hasCode, true);
  assert.deepEqual(p.terms, ['transformers']);
  assert.deepEqual(p.filters.map((f) => f.key), ['author', 'cat', 'year', 'after', 'before', 'has']);
  const cat = p.filters.find((f) => f.key === 'cat')!;
  assert.equal(cat.without, 'transformers author:"Geoffrey Hinton" year:2024 after:2025-01 before:2025-06-30 has:code');
  assert.match(toFtsMatch(p)!, /authors : "geoffrey hinton"/);
});

test('form filters merge with typed ones; invalid values become warnings, not filters', () => {
  const p = parseQuery('llm year:20x4 before:2025-02-30 has:pdf cat:"cs CL"', { category: 'cs.LG', year: 2023, hasCode: true });
  assert.deepEqual(p.categories, ['cs.LG']);
  assert.equal(p.year, 2023);
  assert.equal(p.before, null);
  assert.equal(p.hasCode, true);
  assert.equal(p.warnings.length, 4);
});

test('dates: partial forms expand to the first or last day', () => {
  assert.equal(normaliseDate('2024', false), '2024-01-01');
  assert.equal(normaliseDate('2024', true), '2024-12-31');
  assert.equal(normaliseDate('2024-02', true), '2024-02-29');
  assert.equal(normaliseDate('2024-13-01', false), null);
  assert.equal(normaliseDate('yesterday', false), null);
});

test('hostile input never becomes FTS syntax', () => {
  const odd = ['"', '""', '"unterminated phrase', '*', 'a*', 'NEAR(a b)', 'a NEAR b', '-', '--', '- -x', 'AND OR NOT', '^title', 'title:foo', '{title}: x', '(((', ')', "'; DROP TABLE papers; --", '$\\mathbb{R}^n$ \\alpha', '日本語の論文', 'émigré naïve', '🙂', '\u0000\u0301', 'a'.repeat(5000), ':', 'author:', 'cat:', '-author:x'];
  for (const q of odd) {
    const m = toFtsMatch(parseQuery(q));
    if (m === null) continue;
    // Every word is inside double quotes; only our own operators appear outside them.
    const outside = m.replace(/"(?:[^"]|"")*"/g, '');
    assert.match(outside, /^[\s()]*(?:(?:AND|OR|NOT|authors :)[\s()]*)*$/, `${q} -> ${m}`);
  }
});

test('stopwords are dropped from the OR-ed words unless nothing else is left', () => {
  assert.deepEqual(keywordTerms(parseQuery('the attention is all you need')), ['attention', 'all', 'you', 'need']);
  assert.deepEqual(keywordTerms(parseQuery('to be or not to be')), ['to', 'be', 'or', 'not']);
});

test('porter stems match FTS5 porter on common research words', () => {
  const cases: [string, string][] = [['caresses', 'caress'], ['ponies', poni()], ['relational', 'relat'], ['generalization', 'gener'], ['networks', 'network'], ['learning', 'learn'], ['hopeful', 'hope'], ['adjustable', 'adjust']];
  for (const [w, s] of cases) assert.equal(porterStem(w), s, w);
  function poni() {
    return 'poni';
  }
});

test('snippets escape HTML and mark matches only', () => {
  const stems = new Set(['attent', 'cach']);
  assert.equal(highlight('<b>Attention</b> & caches', stems), '&lt;b&gt;<mark>Attention</mark>&lt;/b&gt; &amp; <mark>caches</mark>');
  const long = `${'Filler words here. '.repeat(30)}We compress the KV cache with attention sinks. ${'More filler. '.repeat(30)}`;
  const s = snippet(long, stems, 120);
  assert.match(s, /<mark>cache<\/mark>/);
  assert.ok(s.startsWith('… '));
  assert.ok(!/<(?!\/?mark>)/.test(s));
});
