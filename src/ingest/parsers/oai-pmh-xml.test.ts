import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { parse } from './index.ts';
import { parseOaiPmhPage } from './oai-pmh-xml.ts';
import { DATA, collect, linesOf, readLines } from './testing.ts';

const DIR = `${DATA}fixtures/oai-pmh/`;
const LIST = `${DIR}oaipmh-listrecords---should-list-identifiers-from-arxiv.1.status200.xml`;
const GET = `${DIR}oaipmh-getrecord---should-get-a-record.0.status200.xml`;
const RETRY = `${DIR}oaipmh-listrecords---should-list-identifiers-from-arxiv.0.status503.xml`;

test('ListRecords (arXiv format): two records at their <record> lines, fully normalised', async () => {
  const page = parseOaiPmhPage(await readFile(LIST, 'utf8'));
  assert.equal(page.error, null);
  assert.equal(page.resumptionToken, null);
  assert.equal(page.completeListSize, null);
  assert.deepEqual(page.items.map((i) => [i.line, i.ok && i.record.id]), [[6, '1412.8544'], [31, 'hep-th/9504118']]);
  const [a, b] = page.items;
  assert.ok(a.ok && b.ok);
  assert.deepEqual({ ...a.record, abstract: a.record.abstract?.slice(0, 50) }, {
    id: '1412.8544',
    version: null,
    title: 'A Kochen-Specker system has at least 22 vectors (extended abstract)',
    abstract: 'At the heart of the Conway-Kochen Free Will theore',
    authors: ['Sander Uijlen', 'Bas Westerbaan'],
    categories: ['cs.DM'],
    comment: 'In Proceedings QPL 2014, arXiv:1412.8102',
    journalRef: 'EPTCS 172, 2014, pp. 154-164',
    doi: '10.4204/EPTCS.172.11',
    publishedAt: '2014-12-29',
    updatedAt: '2014-12-29',
    listedDay: null,
    source: 'oai-pmh',
  });
  // The abstract's second paragraph is joined with a single space.
  assert.ok(a.record.abstract!.includes('deciding embeddability. Continuing their effort'));
  assert.deepEqual(b.record.authors, ['M. Requardt']);
  assert.equal(b.record.comment, '21 pages, Latex');
  // XML entities decoded, `{\it …}` unwrapped.
  assert.ok(b.record.abstract!.includes(`the "strength" of the bonds`));
  assert.ok(b.record.abstract!.includes(`'cellular network' consisting of cells`));
});

test('GetRecord gives the same record; parse() over lines matches', async () => {
  const page = parseOaiPmhPage(await readFile(GET, 'utf8'));
  assert.equal(page.error, null);
  assert.equal(page.items.length, 1);
  assert.ok(page.items[0].ok && page.items[0].record.id === '1412.8544' && page.items[0].line === 6);
  assert.deepEqual(await collect(parse('oai-pmh-xml', readLines(GET), { fileName: 'get.xml' })), page.items);
});

test('the 503 "Retry after" body is not an OAI page', async () => {
  const page = parseOaiPmhPage(await readFile(RETRY, 'utf8'));
  assert.deepEqual(page, { items: [], resumptionToken: null, completeListSize: null, error: { code: 'notOaiPmh', message: 'root element is <html>, not <OAI-PMH>' } });
  const items = await collect(parse('oai-pmh-xml', readLines(RETRY), { fileName: 'x.xml' }));
  assert.deepEqual(items, [{ ok: false, line: 1, reason: 'notOaiPmh: root element is <html>, not <OAI-PMH>' }]);
});

test('other verbs (Identify, ListSets, ListIdentifiers, ListMetadataFormats) yield nothing', async () => {
  for (const f of [
    'oaipmh-identify---should-identify-arxiv.0.status200.xml',
    'oaipmh-listsets---should-list-arxiv-sets.0.status200.xml',
    'oaipmh-listidentifiers---should-list-identifiers-from-arxiv.0.status200.xml',
    'oaipmh-listmetadataformats---should-list-metadata-formats-for-arxiv.0.status200.xml',
  ]) {
    const page = parseOaiPmhPage(await readFile(DIR + f, 'utf8'));
    assert.deepEqual(page, { items: [], resumptionToken: null, completeListSize: null, error: null }, f);
  }
});

const PAGE = `<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
<ListRecords>
<record><header status="deleted"><identifier>oai:arXiv.org:0704.0001</identifier></header></record>
<record>
<header><identifier>oai:arXiv.org:0704.0002</identifier></header>
<metadata><arXiv xmlns="http://arxiv.org/OAI/arXiv/"><id>0704.0002</id><created>2007-03-30</created><updated>2008-12-13</updated>
<authors><author><keyname>Hammons</keyname><forenames>A. Roger</forenames><suffix>Jr</suffix></author><author><keyname>Sol\\'e</keyname><forenames>Patrick</forenames></author></authors>
<title>Sparsity-certifying Graph
  Decompositions</title><categories>math.CO cs.CG</categories><abstract>  We describe $\\ZZ_4 \\- x$ and Pre\\-
parata.
</abstract></arXiv></metadata>
</record>
<record>
<header><identifier>oai:arXiv.org:0704.0003</identifier></header>
<metadata><arXiv xmlns="http://arxiv.org/OAI/arXiv/"><id>0704.0003</id><authors/></arXiv></metadata>
</record>
<record>
<header><identifier>oai:arXiv.org:0704.0004</identifier></header>
<metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:title>A DC record</dc:title><dc:creator>Doe, Jane</dc:creator><dc:subject>Computer Science - Learning</dc:subject>
<dc:description>Abstract.</dc:description><dc:description>Comment: 4 pages</dc:description><dc:date>2007-04-01</dc:date>
<dc:identifier>http://arxiv.org/abs/0704.0004</dc:identifier><dc:identifier>doi:10.1/dc</dc:identifier></oai_dc:dc></metadata>
</record>
<record>
<header><identifier>oai:arXiv.org:0704.0005</identifier></header>
<metadata><arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/"><id>0704.0005</id></arXivRaw></metadata>
</record>
<resumptionToken cursor="0" completeListSize="2071">6953406|1001</resumptionToken>
</ListRecords>
</OAI-PMH>`;

test('synthetic page: deleted skipped, suffixes, multi-category, oai_dc, rejections, resumption token', () => {
  const page = parseOaiPmhPage(PAGE);
  assert.equal(page.error, null);
  assert.equal(page.resumptionToken, '6953406|1001');
  assert.equal(page.completeListSize, 2071);
  assert.deepEqual(
    page.items.map((i) => (i.ok ? [i.line, i.record.id] : [i.line, i.reason])),
    [
      [5, '0704.0002'],
      [14, 'missing "title"'],
      [18, '0704.0004'],
      [25, 'unsupported metadata format <arXivRaw>'],
    ],
  );
  const r = page.items[0];
  assert.ok(r.ok);
  assert.deepEqual(r.record.authors, ['A. Roger Hammons Jr', 'Patrick Solé']);
  assert.deepEqual(r.record.categories, ['math.CO', 'cs.CG']);
  assert.equal(r.record.title, 'Sparsity-certifying Graph Decompositions');
  assert.equal(r.record.abstract, 'We describe $\\ZZ_4 \\- x$ and Preparata.');
  assert.equal(r.record.publishedAt, '2007-03-30');
  assert.equal(r.record.updatedAt, '2008-12-13');
  const dc = page.items[2];
  assert.ok(dc.ok);
  assert.deepEqual(
    { authors: dc.record.authors, categories: dc.record.categories, comment: dc.record.comment, doi: dc.record.doi, abstract: dc.record.abstract, source: dc.record.source },
    { authors: ['Jane Doe'], categories: ['cs.LG'], comment: '4 pages', doi: '10.1/dc', abstract: 'Abstract.', source: 'oai-pmh' },
  );
});

test('OAI errors are reported; noRecordsMatch is an empty result, not a rejection', async () => {
  const xml = (code: string) => `<?xml version="1.0"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><request>x</request>\n<error code="${code}">No records match</error></OAI-PMH>`;
  assert.deepEqual(parseOaiPmhPage(xml('noRecordsMatch')).error, { code: 'noRecordsMatch', message: 'No records match' });
  assert.deepEqual(await collect(parse('oai-pmh-xml', linesOf(xml('noRecordsMatch')), { fileName: 'x' })), []);
  const bad = await collect(parse('oai-pmh-xml', linesOf(xml('badResumptionToken')), { fileName: 'x' }));
  assert.deepEqual(bad, [{ ok: false, line: 1, reason: 'badResumptionToken: No records match' }]);
  // The last page of a list carries an empty token.
  const last = parseOaiPmhPage('<OAI-PMH><ListRecords><resumptionToken completeListSize="3" cursor="2"/></ListRecords></OAI-PMH>');
  assert.equal(last.resumptionToken, null);
  assert.equal(last.completeListSize, 3);
});

test('malformed XML: an error for the harvester, a rejection at the parser line for the importer', async () => {
  const xml = '<OAI-PMH>\n<ListRecords>\n<record>\n</ListRecords>\n</OAI-PMH>';
  const page = parseOaiPmhPage(xml);
  assert.equal(page.error?.code, 'malformedXml');
  assert.equal(page.error?.line, 4);
  const items = await collect(parse('oai-pmh-xml', linesOf(xml), { fileName: 'x' }));
  assert.equal(items.length, 1);
  assert.ok(!items[0].ok && items[0].line === 4 && items[0].reason.startsWith('malformed XML: Expected closing tag'));
});
