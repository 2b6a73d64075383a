import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArxivId, parseArxivRef, isArxivId } from './arxiv-id.ts';

test('new-style ids, with and without versions', () => {
  assert.deepEqual(parseArxivId('2503.11677'), { id: '2503.11677', version: null });
  assert.deepEqual(parseArxivId('2503.11677v2'), { id: '2503.11677', version: 2 });
  assert.deepEqual(parseArxivId('arXiv:1412.8544v12'), { id: '1412.8544', version: 12 });
  assert.deepEqual(parseArxivId(' 0711.3666 '), { id: '0711.3666', version: null });
});

test('old-style ids keep their archive', () => {
  assert.deepEqual(parseArxivId('math/9310227'), { id: 'math/9310227', version: null });
  assert.deepEqual(parseArxivId('hep-th/9504118v3'), { id: 'hep-th/9504118', version: 3 });
  assert.deepEqual(parseArxivId('math.CO/0105120'), { id: 'math.CO/0105120', version: null });
});

test('rejects malformed ids', () => {
  for (const bad of ['', '2513.11677', '2503.1167', '2503.116777', '1412.12345', '1501.1234', 'foo', '2503.11677v', 'math/93102', '../etc/passwd', '2503.11677 OR 1=1']) {
    assert.equal(parseArxivId(bad), null, bad);
  }
});

test('refs: URLs and OAI identifiers', () => {
  assert.deepEqual(parseArxivRef('https://arxiv.org/abs/2503.11677v2'), { id: '2503.11677', version: 2 });
  assert.deepEqual(parseArxivRef('https://arxiv.org/pdf/2503.11677.pdf'), { id: '2503.11677', version: null });
  assert.deepEqual(parseArxivRef('http://export.arxiv.org/abs/hep-th/9504118'), { id: 'hep-th/9504118', version: null });
  assert.deepEqual(parseArxivRef('oai:arXiv.org:1412.8544'), { id: '1412.8544', version: null });
  assert.equal(parseArxivRef('https://example.org/abs/2503.11677'), null);
});

test('isArxivId only accepts canonical ids', () => {
  assert.equal(isArxivId('2503.11677'), true);
  assert.equal(isArxivId('2503.11677v1'), false);
  assert.equal(isArxivId('math/9310227'), true);
});
