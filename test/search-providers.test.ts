import { sql } from 'kysely';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { OpenAiProvider } from '../src/search/embeddings/openai.ts';
import { OnnxProvider } from '../src/search/embeddings/onnx.ts';
import { createProvider } from '../src/search/embeddings/index.ts';
import { freshDb, paperRecord } from './support/db.ts';
import { configureSearch, flushSearchIndex, searchIndexHook, searchPapers, similarPapers } from '../src/search/index.ts';
import { importItems, emptyStats } from '../src/ingest/pipeline.ts';
import type { ParseItem } from '../src/domain/paper.ts';

/** A tiny OpenAI-compatible /v1/embeddings: a bag-of-letters vector, so similar texts are near. */
function fakeEmbeddings(): Promise<{ url: string; requests: { model: string; input: string[]; auth?: string }[]; close: () => Promise<void> }> {
  const requests: { model: string; input: string[]; auth?: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/embeddings') {
        res.writeHead(404).end('{"error":"not found"}');
        return;
      }
      const { model, input } = JSON.parse(body) as { model: string; input: string[] };
      requests.push({ model, input, auth: req.headers.authorization });
      if (model === 'broken') {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"model exploded"}}');
        return;
      }
      const data = input.map((text, index) => {
        const v = new Array(26).fill(0.01);
        for (const ch of text.toLowerCase()) {
          const c = ch.charCodeAt(0) - 97;
          if (c >= 0 && c < 26) v[c]++;
        }
        return { object: 'embedding', index, embedding: v };
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: data.reverse(), model }));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}/v1`, requests, close: () => new Promise((r) => server.close(() => r())) });
    }),
  );
}

test('OpenAI-compatible provider: embeds in order, learns dimensions, sends the key', async () => {
  const srv = await fakeEmbeddings();
  try {
    const p = new OpenAiProvider({ baseUrl: srv.url, model: 'fake-26', apiKey: 'sk-test', batchSize: 2 });
    const v = await p.embed(['aaa', 'bbb', 'abab']);
    assert.equal(p.dimensions, 26);
    assert.equal(v.length, 3);
    assert.ok(v[0][0] > 0.9 && v[1][1] > 0.9);
    assert.ok(Math.abs(Math.hypot(...v[2]) - 1) < 1e-5);
    assert.equal(srv.requests.length, 2);
    assert.equal(srv.requests[0].auth, 'Bearer sk-test');
    await assert.rejects(new OpenAiProvider({ baseUrl: srv.url, model: 'broken' }).embed(['x']), /answered 500: .*model exploded/);
  } finally {
    await srv.close();
  }
});

test('OpenAI-compatible provider fails with a clear error when the endpoint is down', async () => {
  const srv = await fakeEmbeddings();
  const url = srv.url;
  await srv.close();
  const p = new OpenAiProvider({ baseUrl: url, model: 'fake-26', timeoutMs: 2000 });
  await assert.rejects(p.embed(['hello']), /embedding endpoint http:\/\/127\.0\.0\.1:\d+\/v1\/embeddings is unreachable \(ECONNREFUSED\)/);
  await assert.rejects(createProvider(`openai:${url}#fake-26`, { modelPath: null }), /unreachable/);
  await assert.rejects(createProvider('openai:http://127.0.0.1:1', { modelPath: null }), /openai:<base-url>#<model>/);
});

test('search and similar papers work end to end on the OpenAI-compatible provider', async () => {
  const srv = await fakeEmbeddings();
  const t = await freshDb();
  try {
    await configureSearch(t.db, { provider: `openai:${srv.url}#fake-26` });
    const titles = ['zzz zebra buzz', 'aaa banana', 'zebra zoo zone', 'mamma mia'];
    async function* items(): AsyncIterable<ParseItem> {
      let line = 0;
      for (const [i, title] of titles.entries()) yield { ok: true, line: ++line, record: paperRecord({ id: `2504.0000${i}`, title, abstract: '' }) };
    }
    await importItems(t.db, 'x', items(), { feature: 'never', onChanged: searchIndexHook(t.db) }, emptyStats());
    await flushSearchIndex(t.db);
    const r = await searchPapers(t.db, { q: 'zz zebra', mode: 'semantic', limit: 2 });
    assert.deepEqual(new Set(r.hits.map((h) => h.paperId)), new Set(['2504.00000', '2504.00002']));
    const sim = await similarPapers(t.db, '2504.00000', 1);
    assert.equal(sim[0].paperId, '2504.00002');
    const meta = (await sql<{ value: string }>`SELECT value FROM search_meta WHERE key = 'vector.signature'`.execute(t.db.kysely)).rows[0];
    assert.equal(meta.value, 'openai|fake-26|26|i8', 'provider, model, dimensions and storage type');
  } finally {
    await t.cleanup();
    await srv.close();
  }
});

test('ONNX provider: a clear error for a missing model directory or a missing optional package', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-onnx-'));
  try {
    await assert.rejects(new OnnxProvider({ model: path.join(dir, 'nope') }).load(), /has no config\.json/);
    fs.writeFileSync(path.join(dir, 'config.json'), '{}');
    let installed = true;
    try {
      await import('@huggingface/transformers' as string);
    } catch {
      installed = false;
    }
    if (!installed) await assert.rejects(new OnnxProvider({ model: dir }).load(), /optional package @huggingface\/transformers: run `npm install @huggingface\/transformers`/);
    await assert.rejects(createProvider('bogus', { modelPath: null }), /unknown embedding provider/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
