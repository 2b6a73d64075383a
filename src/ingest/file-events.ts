import path from 'node:path';
import type { ParseItem } from '../domain/paper.ts';
import { detectFormat, parse, type FormatName } from './parsers/index.ts';
import { batchesOf, openLines, peekLineBatches, ReadError } from './lines.ts';

/**
 * What reading one input file produces, in order. The same stream comes from parsing in-process
 * or in the parse worker (where it crosses a thread as structured-cloned messages), so the writer
 * cannot tell the two apart and rejections keep their exact `file:line`.
 */
export type FileEvent =
  /** Parsed lines; `bytesRead` is how far into the file (compressed bytes) reading had got. */
  | { type: 'items'; items: ParseItem[]; bytesRead: number }
  /** The file is not imported at all: unreadable head or unknown format. Last event. */
  | { type: 'skip'; line: number; reason: string }
  /** The rest of the file could not be read (truncated gzip...); what came before stands. */
  | { type: 'readError'; line: number; reason: string }
  /** Reading finished; `size` is the file's size when opened. Last event. */
  | { type: 'end'; size: number };

/**
 * Items per event when a parser yields them one by one: big enough to amortise a message, small
 * enough to keep memory flat. (JSON Lines come a chunk of text at a time, about 600 records.)
 */
export const ITEMS_PER_EVENT = 512;

export async function* readFileEvents(file: string, format: FormatName | 'auto' | undefined, itemsPerEvent = ITEMS_PER_EVENT): AsyncGenerator<FileEvent> {
  const source = await openLines(file);
  let lines: AsyncIterable<string>;
  let detected: FormatName | null;
  try {
    const peeked = await peekLineBatches(source.batches);
    lines = peeked.lines;
    detected = format && format !== 'auto' ? format : detectFormat(peeked.head, path.basename(file));
  } catch (err) {
    if (!(err instanceof ReadError)) throw err;
    yield { type: 'skip', line: err.line, reason: err.message };
    return;
  }
  if (!detected) {
    yield { type: 'skip', line: 1, reason: 'unknown format (use --format to say which)' };
    return;
  }
  const parsed = parse(detected, lines, { fileName: path.basename(file) });
  // JSON Lines parsers hand out a batch of items per chunk of text; the others go item by item.
  const itemBatches = batchesOf(parsed);
  let items: ParseItem[] = [];
  try {
    if (itemBatches) {
      for await (const batch of itemBatches) {
        if (batch.length > 0) yield { type: 'items', items: batch, bytesRead: source.bytesRead() };
      }
    } else {
      for await (const item of parsed) {
        items.push(item);
        if (items.length >= itemsPerEvent) {
          yield { type: 'items', items, bytesRead: source.bytesRead() };
          items = [];
        }
      }
    }
  } catch (err) {
    if (!(err instanceof ReadError)) throw err;
    if (items.length > 0) yield { type: 'items', items, bytesRead: source.bytesRead() };
    items = [];
    yield { type: 'readError', line: err.line, reason: err.message };
  }
  if (items.length > 0) yield { type: 'items', items, bytesRead: source.bytesRead() };
  yield { type: 'end', size: source.size };
}
