import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { rerank, rerankFeatures, termVectorsOf, type TermVectors } from './rerank.ts';
import { LsaProvider } from './embeddings/lsa.ts';
import { sqliteTermStats } from './stats.ts';

/** Just the FTS5 tables the reranker reads its statistics from. */
function ftsDb(docs: { title: string; abstract: string }[]): SQLite.Database {
  const sq = new SQLite(':memory:');
  sq.exec(`CREATE VIRTUAL TABLE papers_fts USING fts5(title, authors, abstract, tokenize='porter unicode61 remove_diacritics 2');
    CREATE VIRTUAL TABLE papers_fts_vocab USING fts5vocab(papers_fts, row);
    CREATE TABLE search_meta(key TEXT PRIMARY KEY, value TEXT);`);
  const ins = sq.prepare('INSERT INTO papers_fts(rowid, title, authors, abstract) VALUES (?, ?, ?, ?)');
  docs.forEach((d, i) => ins.run(i + 1, d.title, '', d.abstract));
  return sq;
}

const docs = [
  { title: 'Tumour growth and risk', abstract: 'Tumour incidence rises with age. Risk factors were measured in a cohort.' },
  { title: 'Risk of falls', abstract: 'Falls are a risk in older adults. Balance training lowers the risk.' },
  { title: 'Soil bacteria', abstract: 'Bacteria in soil fix nitrogen. Crops benefit from them.' },
];

test('soft matching credits a paper holding a near neighbour of a missing query word', () => {
  const sq = ftsDb(docs);
  const tv: TermVectors = { termNeighbours: (stems) => stems.map((t) => new Map(t === 'cancer' ? [['tumour', 0.9], ['bacteria', 0.2]] : [])) };
  const cands = docs.map((d, i) => ({ key: i + 1, ...d, score: 0 }));
  const rows = rerankFeatures(sqliteTermStats(sq), 'cancer risk', cands, { termVectors: tv })!;
  assert.ok(rows[0].soft > 0.1, 'tumour stands in for cancer');
  assert.equal(rows[1].soft, 0, 'no neighbour of cancer in the falls paper');
  assert.equal(rows[2].soft, 0, 'cosines at or under 0.3 do not count');
  assert.equal(rerankFeatures(sqliteTermStats(sq), 'cancer risk', cands)![0].soft, 0, 'no term vectors, no soft feature');
  assert.equal(rerank(sqliteTermStats(sq), 'cancer risk', cands, { termVectors: tv })[0].key, 1);
  assert.equal(rerankFeatures(sqliteTermStats(sq), 'the of', cands), null, 'stopwords only');
  sq.close();
});

test('built-in model: term neighbours are sorted, cached, and survive a save and reload', async () => {
  const topics = [
    ['tumour', 'cancer', 'oncology', 'chemotherapy', 'metastasis'],
    ['soil', 'nitrogen', 'crop', 'fertiliser', 'harvest'],
    ['neuron', 'synapse', 'cortex', 'axon', 'dendrite'],
  ];
  const texts: string[] = [];
  for (let i = 0; i < 90; i++) {
    const t = topics[i % 3];
    texts.push(`${t[i % 5]} ${t[(i + 1) % 5]} ${t[(i + 2) % 5]} study ${t[(i + 3) % 5]} paper ${i % 7 === 0 ? 'review' : 'trial'}`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-lsa-'));
  try {
    const file = path.join(dir, 'model.bin');
    const lsa = new LsaProvider({ modelPath: file, dimensions: 8 });
    await lsa.train(() => texts, texts.length);
    assert.ok(termVectorsOf(lsa), 'the built-in provider offers term vectors');
    const [nb] = lsa.termNeighbours(['cancer']);
    const sims = [...nb.values()];
    assert.deepEqual(sims, [...sims].sort((a, b) => b - a), 'most similar first');
    assert.ok(!nb.has('cancer'), 'a term is not its own neighbour');
    const top = [...nb.keys()].slice(0, 4);
    assert.ok(top.every((t) => ['tumour', 'oncolog', 'chemotherapi', 'metastasi'].includes(t)), `same-topic neighbours first: ${top}`);
    assert.deepEqual(lsa.termNeighbours(['unknownword'])[0].size, 0);
    const again = new LsaProvider({ modelPath: file, dimensions: 8 });
    assert.equal(again.model, lsa.model);
    assert.deepEqual([...again.termNeighbours(['cancer'])[0].keys()], [...nb.keys()]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
