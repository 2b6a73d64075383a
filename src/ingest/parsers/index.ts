/**
 * Every input format the importer understands: detection from a file's head, and one streaming
 * `parse` entry point. Line-based formats stream; XML and whole-document JSON are buffered (they
 * are one API/OAI page or one small response).
 */
import type { ParseItem } from '../../domain/paper.ts';
import { parseAtomFeed } from './arxiv-atom.ts';
import { collectText } from './common.ts';
import { parseDailyJsonl } from './daily-jsonl.ts';
import { parseHfDailyJson } from './hf-daily-json.ts';
import { parseOaiDcJsonl } from './oai-dc-jsonl.ts';
import { parseOaiPmhPage } from './oai-pmh-xml.ts';
import { parseRawDailyJsonl } from './raw-daily-jsonl.ts';

export { atomTotals, parseAtomFeed } from './arxiv-atom.ts';
export { parseOaiPmhPage, type OaiPmhPage } from './oai-pmh-xml.ts';

export type FormatName = 'daily-jsonl' | 'raw-daily-jsonl' | 'oai-dc-jsonl' | 'arxiv-atom' | 'oai-pmh-xml' | 'hf-daily-json';

export const FORMATS: FormatName[] = ['daily-jsonl', 'raw-daily-jsonl', 'oai-dc-jsonl', 'arxiv-atom', 'oai-pmh-xml', 'hf-daily-json'];

/** A top-level key, as opposed to the same word inside an (escaped) string value. */
function hasKey(s: string, key: string): boolean {
  return new RegExp(`(?<!\\\\)"${key}"\\s*:`).test(s);
}

function detectXml(head: string): FormatName | null {
  // Skip the declaration, comments and doctype to reach the root element.
  const body = head.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>/gi, '').trimStart();
  if (/^<(?:[\w-]+:)?OAI-PMH[\s>]/.test(body)) return 'oai-pmh-xml';
  const feed = /^<(?:[\w-]+:)?feed\b[^>]*>/.exec(body);
  if (feed && /www\.w3\.org\/2005\/Atom|arxiv/i.test(feed[0] + body.slice(0, 4096))) return 'arxiv-atom';
  return null;
}

function detectJson(head: string): FormatName | null {
  const firstLine = head.slice(0, head.indexOf('\n') >= 0 ? head.indexOf('\n') : head.length);
  const line = firstLine.trim();
  // Raw Dublin Core harvest: ["<id>", {…}] on each line.
  if (/^\[\s*"[^"]+"\s*,\s*\{/.test(line)) return 'oai-dc-jsonl';
  const looksLine = line.startsWith('{');
  if (looksLine && hasKey(line, 'first_listed')) return 'daily-jsonl';
  if (looksLine && (hasKey(line, 'oai_datestamp') || hasKey(line, 'dates'))) return 'oai-dc-jsonl';
  // HF before raw-daily: HF papers also have a `summary`.
  if (hasKey(head, 'submittedOnDailyAt') || hasKey(head, 'upvotes') || hasKey(head, 'paper')) return 'hf-daily-json';
  if (looksLine && hasKey(line, 'summary') && hasKey(line, 'abs')) return 'raw-daily-jsonl';
  return null;
}

/**
 * Detect a file's format from its (decompressed) first few KB and its file name. null = unknown.
 * The content alone decides (uploads get renamed, `.json` files hold JSONL); the name is accepted
 * for callers' symmetry and future tie-breaks.
 */
export function detectFormat(head: string, _fileName: string): FormatName | null {
  const s = head.replace(/^\uFEFF/, '').trimStart();
  if (s.startsWith('<')) return detectXml(s);
  if (s.startsWith('{') || s.startsWith('[')) return detectJson(s);
  return null;
}

async function* fromArray(items: ParseItem[]): AsyncIterable<ParseItem> {
  yield* items;
}

async function* parseOaiPmhInput(lines: AsyncIterable<string>): AsyncIterable<ParseItem> {
  const page = parseOaiPmhPage(await collectText(lines));
  yield* page.items;
  // An empty list is a valid answer; any other error means the file held no usable page.
  const err = page.error;
  if (err && err.code !== 'noRecordsMatch') {
    const reason = err.code === 'malformedXml' ? err.message : `${err.code}: ${err.message}`;
    yield { ok: false, line: err.line ?? 1, reason };
  }
}

/** Parse a whole input. `lines` yields the decompressed file line by line (1-based numbering is the caller's index+1). */
export function parse(format: FormatName, lines: AsyncIterable<string>, ctx: { fileName: string }): AsyncIterable<ParseItem> {
  switch (format) {
    case 'daily-jsonl':
      return parseDailyJsonl(lines);
    case 'raw-daily-jsonl':
      return parseRawDailyJsonl(lines, ctx);
    case 'oai-dc-jsonl':
      return parseOaiDcJsonl(lines);
    case 'arxiv-atom':
      return (async function* () {
        yield* fromArray(parseAtomFeed(await collectText(lines)));
      })();
    case 'oai-pmh-xml':
      return parseOaiPmhInput(lines);
    case 'hf-daily-json':
      return parseHfDailyJson(lines);
  }
}
