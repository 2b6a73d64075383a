import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { atomTotals, parseAtomFeed } from './arxiv-atom.ts';
import { parse } from './index.ts';
import { DATA, collect, readLines } from './testing.ts';

const FILE = `${DATA}fixtures/arxiv-api/api-query-all-GAN-2024-01-22.xml`;

test('arXiv API Atom: 10 entries, each at the line its <entry> starts', async () => {
  const items = parseAtomFeed(await readFile(FILE, 'utf8'));
  assert.equal(items.length, 10);
  assert.deepEqual(
    items.map((i) => [i.line, i.ok ? `${i.record.id}v${i.record.version}` : i.reason]),
    [
      [10, '2111.13282v1'], [56, '1904.00724v1'], [80, '2303.15533v1'], [117, '2003.08047v1'], [160, '1701.06264v6'],
      [197, '2307.16275v1'], [236, '2002.02112v1'], [268, '1904.08994v1'], [288, '2104.01437v1'], [334, '1611.08337v1'],
    ],
  );
  const first = items[0];
  assert.ok(first.ok);
  assert.equal(first.record.title, 'Generative Adversarial Networks and Adversarial Autoencoders: Tutorial and Survey');
  assert.deepEqual(first.record.authors, ['Benyamin Ghojogh', 'Ali Ghodsi', 'Fakhri Karray', 'Mark Crowley']);
  assert.deepEqual(first.record.categories, ['cs.LG', 'cs.CV', 'eess.IV', 'stat.ML']);
  assert.equal(first.record.comment, 'To appear as a part of an upcoming textbook on dimensionality reduction and manifold learning');
  assert.equal(first.record.publishedAt, '2021-11-26T00:45:08Z');
  assert.equal(first.record.updatedAt, '2021-11-26T00:45:08Z');
  assert.equal(first.record.source, 'arxiv-api');
  assert.ok(first.record.abstract!.startsWith('This is a tutorial and survey paper on Generative Adversarial Network (GAN), adversarial autoencoders'));
  const lsgan = items[4];
  assert.ok(lsgan.ok);
  assert.equal(lsgan.record.journalRef, 'in International Journal of Computer Vision (IJCV), 2019');
  assert.equal(lsgan.record.publishedAt, '2017-01-23T04:46:22Z');
  assert.equal(lsgan.record.updatedAt, '2018-03-19T03:54:50Z');
  assert.deepEqual(lsgan.record.categories, ['cs.CV']);
});

test('parse("arxiv-atom") over lines gives the same as parseAtomFeed', async () => {
  const viaLines = await collect(parse('arxiv-atom', readLines(FILE), { fileName: 'api.xml' }));
  assert.deepEqual(viaLines, parseAtomFeed(await readFile(FILE, 'utf8')));
});

test('Atom paging totals', async () => {
  assert.deepEqual(atomTotals(await readFile(FILE, 'utf8')), { totalResults: 10468, startIndex: 0, itemsPerPage: 10 });
});

test('Atom: entries without id or title are rejected, others kept; API errors say so', () => {
  const xml = `<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <entry>
    <id>http://arxiv.org/abs/2401.00001v2</id>
    <title>Caf\\'e &amp; more &#8212; na&#xEF;ve</title>
    <author><name>Solo Author</name></author>
    <arxiv:doi>10.1000/xyz</arxiv:doi>
    <category term="cs.AI"/>
  </entry>
  <entry>
    <title>No id</title>
  </entry>
  <entry><id>http://arxiv.org/abs/2401.00003v1</id></entry>
  <entry>
    <id>http://arxiv.org/api/errors#incorrect_id_format_for_1234</id>
    <title>Error</title>
    <summary>incorrect id format for 1234</summary>
  </entry>
</feed>`;
  const items = parseAtomFeed(xml);
  assert.deepEqual(
    items.map((i) => (i.ok ? [i.line, i.record.id] : [i.line, i.reason])),
    [
      [3, '2401.00001'],
      [10, 'missing "id"'],
      [13, 'missing "title"'],
      [14, 'arXiv API error: incorrect id format for 1234'],
    ],
  );
  const ok = items[0];
  assert.ok(ok.ok);
  assert.equal(ok.record.title, 'Café & more — naïve');
  assert.equal(ok.record.version, 2);
  assert.equal(ok.record.doi, '10.1000/xyz');
  assert.deepEqual(ok.record.authors, ['Solo Author']);
  assert.deepEqual(ok.record.categories, ['cs.AI']);
});

test('Atom: malformed XML is one rejection with the parser line; non-feeds are rejected', () => {
  const bad = parseAtomFeed('<feed>\n<entry>\n<id>x</id>\n</feed>');
  assert.equal(bad.length, 1);
  assert.equal(bad[0].ok, false);
  assert.ok(!bad[0].ok && bad[0].line === 4 && bad[0].reason.startsWith('malformed XML: '));
  assert.deepEqual(parseAtomFeed('<html><body/></html>'), [{ ok: false, line: 1, reason: 'not an Atom feed: root element is <html>' }]);
  assert.deepEqual(parseAtomFeed('<feed xmlns="http://www.w3.org/2005/Atom"></feed>'), []);
  assert.equal(parseAtomFeed('')[0].ok, false);
});
