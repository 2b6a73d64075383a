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
  /** Bytes read from disk so far (compressed size for .gz), for progress. */
  bytesRead: () => number;
  size: number;
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
  async function* iterate(): AsyncGenerator<string> {
    const decoder = new TextDecoder('utf-8');
    let pending = '';
    let lineNo = 0;
    try {
      for await (const chunk of stream) {
        pending += decoder.decode(chunk as Buffer, { stream: true });
        let nl: number;
        let start = 0;
        while ((nl = pending.indexOf('\n', start)) !== -1) {
          const text = pending.charCodeAt(nl - 1) === 13 ? pending.slice(start, nl - 1) : pending.slice(start, nl);
          start = nl + 1;
          lineNo++;
          yield text;
        }
        pending = pending.slice(start);
      }
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const what = e.code === 'Z_BUF_ERROR' || /unexpected end/i.test(e.message) ? 'truncated gzip (unexpected end of file)' : `read error: ${e.message}`;
      // A partial last line of a truncated file is not trusted.
      throw new ReadError(what, lineNo + 1);
    } finally {
      raw.destroy();
    }
    pending += decoder.decode();
    if (pending.length > 0) yield pending;
  }
  return { lines: iterate(), bytesRead: () => read, size: stat.size };
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
