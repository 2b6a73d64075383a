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
const CR = 13;

/** Appends the lines of `text` (which holds whole lines only) to `out`, dropping a `\r` before `\n`. */
function splitInto(text: string, out: string[]): void {
  let start = 0;
  let nl: number;
  while ((nl = text.indexOf('\n', start)) !== -1) {
    out.push(text.charCodeAt(nl - 1) === CR && nl > start ? text.slice(start, nl - 1) : text.slice(start, nl));
    start = nl + 1;
  }
  out.push(text.charCodeAt(text.length - 1) === CR ? text.slice(start, text.length - 1) : text.slice(start));
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

  // Lines are cut on the bytes and each chunk decoded once: a `\n` byte never occurs inside a UTF-8
  // sequence, so only the line straddling two chunks needs joining, and no text is re-copied.
  async function* iterateBatches(): AsyncGenerator<string[]> {
    let carry: Buffer[] = [];
    let lineNo = 0;
    let atStart = true;
    try {
      for await (const data of stream) {
        let chunk = data as Buffer;
        if (atStart && chunk.length > 0) {
          atStart = false;
          // What TextDecoder did: a leading byte-order mark is not part of the text.
          if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
        }
        const first = chunk.indexOf(NL);
        if (first === -1) {
          carry.push(chunk);
          continue;
        }
        const out: string[] = [];
        let from = 0;
        if (carry.length > 0) {
          carry.push(chunk.subarray(0, first + 1));
          splitInto(Buffer.concat(carry).toString('utf8', 0, carry.reduce((n, b) => n + b.length, 0) - 1), out);
          carry = [];
          from = first + 1;
        }
        const last = chunk.lastIndexOf(NL);
        if (last >= from) splitInto(chunk.toString('utf8', from, last), out);
        if (last + 1 < chunk.length) carry.push(chunk.subarray(last + 1));
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
    // An unterminated last line (an incomplete UTF-8 sequence at its end decodes to U+FFFD).
    if (carry.length > 0) {
      const tail = Buffer.concat(carry).toString('utf8');
      if (tail.length > 0) yield [tail];
    }
  }
  const batches = iterateBatches();
  async function* iterateLines(): AsyncGenerator<string> {
    for await (const batch of batches) {
      for (const line of batch) yield line;
    }
  }
  return { lines: iterateLines(), batches, bytesRead: () => read, size: stat.size };
}

/** Reads lines until `maxChars` for format sniffing, then replays them ahead of the rest. */
export async function peekLines(lines: AsyncIterable<string>, maxChars = 16_384): Promise<{ head: string; lines: AsyncIterable<string> }> {
  const it = lines[Symbol.asyncIterator]();
  const buffered: string[] = [];
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
      buffered.push(r.value);
      chars += r.value.length + 1;
    }
  } catch (err) {
    pendingError = err;
  }
  async function* replay(): AsyncGenerator<string> {
    yield* buffered;
    if (pendingError) throw pendingError;
    if (done) return;
    while (true) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  return { head: buffered.join('\n'), lines: replay() };
}
