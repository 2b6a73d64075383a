import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { openLines, ReadError } from './lines.ts';

/** What the lines of a whole file are: BOM dropped, `\r\n` and `\n` ends, an unterminated last line kept. */
function reference(buf: Buffer): string[] {
  let text = buf.toString('utf8');
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const parts = text.split('\n');
  const last = parts.pop()!;
  const lines = parts.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (last !== '') lines.push(last);
  return lines;
}

async function linesOf(file: string): Promise<string[]> {
  const out: string[] = [];
  for await (const l of (await openLines(file)).lines) out.push(l);
  return out;
}

function tmpFile(name: string, data: Buffer | string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-lines-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, data);
  return file;
}

test('lines: CRLF, BOM, empty and unterminated lines, plain and gzipped', async () => {
  const text = '\uFEFF{"a":1}\r\n\n  \r\nlast \r\u00e9\u4e2d\ud83d\ude00\r\nno newline\r';
  for (const gz of [false, true]) {
    const buf = Buffer.from(text, 'utf8');
    const file = tmpFile(gz ? 'x.jsonl.gz' : 'x.jsonl', gz ? zlib.gzipSync(buf) : buf);
    assert.deepEqual(await linesOf(file), reference(buf));
    assert.deepEqual(await linesOf(file), ['{"a":1}', '', '  ', 'last \r\u00e9\u4e2d\ud83d\ude00', 'no newline\r']);
  }
});

test('lines: multi-byte characters and lines that straddle 1 MiB read chunks', async () => {
  // Lines of varied length, some longer than a chunk, with 2-, 3- and 4-byte characters everywhere.
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < 3.5 * 2 ** 20; i++) {
    const len = i % 97 === 0 ? 1_300_000 : 1 + ((i * 7919) % 4000);
    const line = ('é中😀x'.repeat(Math.ceil(len / 5)) + i).slice(0, len) + (i % 3 === 0 ? '\r' : '');
    parts.push(line);
    size += Buffer.byteLength(line) + 1;
  }
  const buf = Buffer.from(parts.join('\n') + '\n', 'utf8');
  for (const gz of [false, true]) {
    const file = tmpFile(gz ? 'big.gz' : 'big.txt', gz ? zlib.gzipSync(buf) : buf);
    const got = await linesOf(file);
    const want = reference(buf);
    assert.equal(got.length, want.length);
    for (let i = 0; i < want.length; i++) assert.ok(got[i] === want[i], `line ${i + 1} differs`);
  }
});

test('lines: invalid UTF-8 decodes to U+FFFD as before, at a line end too', async () => {
  const buf = Buffer.concat([Buffer.from('ok\n'), Buffer.from([0x61, 0xff, 0x62, 0x0a, 0xe4, 0xb8, 0x0a, 0x7a, 0x0a, 0xe4, 0xb8])]);
  const file = tmpFile('bad.txt', buf);
  assert.deepEqual(await linesOf(file), ['ok', 'a\uFFFDb', '\uFFFD', 'z', '\uFFFD']);
});

test('lines: a truncated gzip yields the whole lines, then a ReadError at the next line', async () => {
  const lines = Array.from({ length: 5000 }, (_, i) => `{"n":${i},"pad":"${'x'.repeat(200 + (i % 50))}"}`);
  const gz = zlib.gzipSync(lines.join('\n') + '\n');
  const file = tmpFile('cut.gz', gz.subarray(0, Math.floor(gz.length / 2)));
  const got: string[] = [];
  await assert.rejects(
    (async () => {
      for await (const l of (await openLines(file)).lines) got.push(l);
    })(),
    (err: unknown) => err instanceof ReadError && /truncated gzip/.test(err.message) && err.line === got.length + 1,
  );
  assert.ok(got.length > 0 && got.length < lines.length);
  assert.deepEqual(got, lines.slice(0, got.length));
});
