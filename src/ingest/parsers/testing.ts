/** Test helpers: read real data files line by line (gzip or plain), collect async iterables. */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { gunzipSync, createGunzip } from 'node:zlib';

export const DATA = new URL('../../../../shared/data/', import.meta.url).pathname;

export function readLines(path: string): AsyncIterable<string> {
  const file = createReadStream(path);
  const input = path.endsWith('.gz') ? file.pipe(createGunzip()) : file;
  return createInterface({ input, crlfDelay: Infinity });
}

/** The first `bytes` of a file, decompressed when gzip (what an importer would sniff). */
export async function readHead(path: string, bytes = 8192): Promise<string> {
  const buf = await readFile(path);
  const plain = path.endsWith('.gz') ? gunzipSync(buf) : buf;
  return plain.subarray(0, bytes).toString('utf8');
}

export async function* linesOf(text: string | string[]): AsyncIterable<string> {
  yield* typeof text === 'string' ? text.split('\n') : text;
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
