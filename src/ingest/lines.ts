import fs from 'node:fs';
import zlib from 'node:zlib';

/**
 * Streams a file as text lines, transparently gunzipping (by magic bytes, not by name). A
 * truncated or corrupt gzip surfaces as a `ReadError` after every line that could be read was
 * yielded, so the caller imports what is there and reports the rest.
 */
export class ReadError extends Error {
  readonly line: number;
  constructor(message: string, line: number) {
    super(message);
    this.line = line;
  }
}

async function isGzip(file: string): Promise<boolean> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

export interface LineSource {
  /** Lines without their terminator; numbering is the caller's index + 1. */
  lines: AsyncIterable<string>;
  /**
   * The same lines, a chunk's worth (about 1 MiB of text) at a time. Consumers that can work on
   * arrays save an async-iteration step per line. Use either this or `lines`, not both.
   */
  batches: AsyncIterable<string[]>;
  /** Bytes read from disk so far (compressed size for .gz), for progress. */
  bytesRead: () => number;
  size: number;
}

const NL = 0x0a;
const CR = 0x0d;
// A leading byte-order mark is dropped once, at the start of the file, as a streaming decoder
// would; every other U+FEFF is text. Invalid bytes become U+FFFD, as they always did.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** Decodes `buf[start, end)`, one line, dropping the `\r` of a `\r\n` ending. */
function lineAt(buf: Buffer, start: number, end: number): string {
  return decoder.decode(buf.subarray(start, end > start && buf[end - 1] === CR ? end - 1 : end));
}

export async function openLines(file: string): Promise<LineSource> {
  const stat = await fs.promises.stat(file);
  const gz = await isGzip(file);
  const raw = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  let read = 0;
  raw.on('data', (chunk) => {
    read += chunk.length;
  });
  // 1 MiB output chunks: the default 16 KiB makes the main thread wait on the zlib thread pool per chunk.
  const stream = gz ? raw.pipe(zlib.createGunzip({ chunkSize: 1 << 20 })) : raw;
  if (gz) raw.on('error', (e) => stream.destroy(e));

  // Lines are cut on the bytes and decoded one by one: a `\n` byte never occurs inside a UTF-8
  // sequence, only a line that straddles two chunks needs joining, and decoding a line at a time
  // is several times faster than decoding a chunk into one string and cutting that.
  async function* iterateBatches(): AsyncGenerator<string[]> {
    let carry: Buffer[] = [];
    let lineNo = 0;
    let atStart = true;
    try {
      for await (const data of stream) {
        let chunk = data as Buffer;
        if (atStart && chunk.length > 0) {
          atStart = false;
          if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
        }
        let nl = chunk.indexOf(NL);
        if (nl === -1) {
          carry.push(chunk);
          continue;
        }
        const out: string[] = [];
        let start = 0;
        if (carry.length > 0) {
          carry.push(chunk.subarray(0, nl));
          const joined = Buffer.concat(carry);
          out.push(lineAt(joined, 0, joined.length));
          carry = [];
          start = nl + 1;
          nl = chunk.indexOf(NL, start);
        }
        while (nl !== -1) {
          out.push(lineAt(chunk, start, nl));
          start = nl + 1;
          nl = chunk.indexOf(NL, start);
        }
        if (start < chunk.length) carry.push(chunk.subarray(start));
        lineNo += out.length;
        yield out;
      }
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const what = e.code === 'Z_BUF_ERROR' || /unexpected end/i.test(e.message) ? 'truncated gzip (unexpected end of file)' : `read error: ${e.message}`;
      // A partial last line of a truncated file is not trusted.
      throw new ReadError(what, lineNo + 1);
    } finally {
      raw.destroy();
    }
    // An unterminated last line keeps a trailing `\r` (it was never part of a line ending).
    if (carry.length > 0) {
      const tail = decoder.decode(Buffer.concat(carry));
      if (tail.length > 0) yield [tail];
    }
  }
  const batches = iterateBatches();
  const lines = batched(batches);
  return { lines, batches, bytesRead: () => read, size: stat.size };
}

// ---------------------------------------------------------------------------------------------
// Batched iteration. Every async step costs a promise and a trip through the microtask queue; per
// line and per record that adds up across the stages of an import. A stream can therefore also
// offer its items an array at a time, under a symbol, while still iterating item by item for
// every consumer that does not know about it.

export const BATCHES = Symbol('dailypapers.batches');

export interface Batched<T> extends AsyncIterable<T> {
  [BATCHES](): AsyncIterable<T[]>;
}

/** An item-by-item iterable over `batches` that also hands the batches themselves out. */
export function batched<T>(batches: AsyncIterable<T[]>): Batched<T> {
  return {
    [BATCHES]: () => batches,
    async *[Symbol.asyncIterator]() {
      for await (const batch of batches) {
        for (const item of batch) yield item;
      }
    },
  };
}

/** The batches behind `items`, when it offers them. */
export function batchesOf<T>(items: AsyncIterable<T>): AsyncIterable<T[]> | null {
  const b = (items as Partial<Batched<T>>)[BATCHES];
  return typeof b === 'function' ? b.call(items) : null;
}

/** Reads lines until `maxChars` for format sniffing, then replays every line, still batched. */
export async function peekLineBatches(batches: AsyncIterable<string[]>, maxChars = 16_384): Promise<{ head: string; lines: Batched<string> }> {
  const it = batches[Symbol.asyncIterator]();
  const pulled: string[][] = [];
  const head: string[] = [];
  let chars = 0;
  let done = false;
  let pendingError: unknown = null;
  try {
    while (chars < maxChars) {
      const r = await it.next();
      if (r.done) {
        done = true;
        break;
      }
      pulled.push(r.value);
      for (const line of r.value) {
        if (chars >= maxChars) break;
        head.push(line);
        chars += line.length + 1;
      }
    }
  } catch (err) {
    pendingError = err;
  }
  async function* replay(): AsyncGenerator<string[]> {
    yield* pulled;
    if (pendingError) throw pendingError;
    if (done) return;
    while (true) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  return { head: head.join('\n'), lines: batched(replay()) };
}
