/**
 * Pieces every parser shares: field coercion and normalisation, the streaming JSONL driver, and
 * the XML set-up (validation with a line number, element start lines).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parseArxivRef } from '../../domain/arxiv-id.ts';
import type { PaperRecord, ParseItem } from '../../domain/paper.ts';
import { normalizeAuthorName, normalizeText, normalizeWhitespace } from '../../domain/text.ts';
import { batched, batchesOf } from '../lines.ts';

/** Thrown by a record mapper to reject one record with a short reason. */
export class Reject extends Error {}

/** Coerces what a JSON or XML field holds to its text, or null (XML text nodes may be objects). */
export function text(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.length ? text(v[0]) : null;
  if (v && typeof v === 'object' && '#text' in v) return text((v as Record<string, unknown>)['#text']);
  return null;
}

/** Whitespace-normalised text, null when absent or empty. */
export function optText(v: unknown): string | null {
  const s = text(v);
  if (s === null) return null;
  const n = normalizeWhitespace(s);
  return n === '' ? null : n;
}

/** Title/abstract treatment: whitespace and TeX, null when empty. */
export function optProse(v: unknown): string | null {
  const s = text(v);
  if (s === null) return null;
  const n = normalizeText(s);
  return n === '' ? null : n;
}

export function arr<T = unknown>(v: unknown): T[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]) as T[];
}

export function parseId(raw: unknown, field = 'id'): { id: string; version: number | null } {
  const s = text(raw);
  if (s === null || s.trim() === '') throw new Reject(`missing "${field}"`);
  const parsed = parseArxivRef(s);
  if (!parsed) throw new Reject(`invalid arXiv id "${clip(s.trim(), 60)}"`);
  return parsed;
}

export function requireTitle(raw: unknown, field = 'title'): string {
  if (text(raw) === null) throw new Reject(`missing "${field}"`);
  const title = optProse(raw);
  if (title === null) throw new Reject(`empty "${field}"`);
  return title;
}

export function authorList(v: unknown): string[] {
  return arr(v)
    .map((a) => text(a))
    .filter((a): a is string => a !== null)
    .map(normalizeAuthorName)
    .filter((a) => a !== '');
}

/** Trimmed, de-duplicated, order kept (the first is the primary where the source says so). */
export function categoryList(v: unknown): string[] {
  const out: string[] = [];
  for (const c of arr(v)) {
    const s = text(c)?.trim();
    if (s && !out.includes(s)) out.push(s);
  }
  return out;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** An ISO-8601 date or date-time as given, null when absent or not one. */
export function isoDate(v: unknown): string | null {
  const s = text(v)?.trim();
  return s && ISO_DATE.test(s) ? s : null;
}

/** The YYYY-MM-DD part of an ISO date or date-time. */
export function dayOf(v: unknown): string | null {
  return isoDate(v)?.slice(0, 10) ?? null;
}

/** Fills the fields a source does not carry with null. */
export function record(r: Partial<PaperRecord> & Pick<PaperRecord, 'id' | 'title' | 'source'>): PaperRecord {
  return {
    id: r.id,
    version: r.version ?? null,
    title: r.title,
    abstract: r.abstract ?? null,
    authors: r.authors ?? [],
    categories: r.categories ?? [],
    comment: r.comment ?? null,
    journalRef: r.journalRef ?? null,
    doi: r.doi ?? null,
    publishedAt: r.publishedAt ?? null,
    updatedAt: r.updatedAt ?? null,
    listedDay: r.listedDay ?? null,
    source: r.source,
  };
}

export function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

export function errorMessage(e: unknown): string {
  return clip(e instanceof Error ? e.message : String(e), 200);
}

export type LineMapper = (value: unknown, line: number) => PaperRecord | null;

/** One line of JSON Lines as an item; null for a blank line or a record the mapper skips. */
function parseJsonLine(raw: string, line: number, map: LineMapper): ParseItem | null {
  const s = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
  if (s.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(s);
  } catch (e) {
    return { ok: false, line, reason: `invalid JSON: ${errorMessage(e)}` };
  }
  try {
    const rec = map(value, line);
    return rec ? { ok: true, record: rec, line } : null;
  } catch (e) {
    return { ok: false, line, reason: e instanceof Reject ? e.message : `unreadable record: ${errorMessage(e)}` };
  }
}

/**
 * The streaming driver for JSON Lines: one JSON value a line, blank lines skipped, a bad line
 * becomes a rejection and parsing goes on. A mapper returning null skips the line silently.
 * When the lines come in batches (`batchesOf`), so do the items, a batch of items per batch of lines.
 */
export function parseJsonLines(lines: AsyncIterable<string>, map: LineMapper): AsyncIterable<ParseItem> {
  const lineBatches = batchesOf(lines);
  if (!lineBatches) return parseLineByLine(lines, map);
  return batched(
    (async function* () {
      let line = 0;
      for await (const batch of lineBatches) {
        const items: ParseItem[] = [];
        for (const raw of batch) {
          const item = parseJsonLine(raw, ++line, map);
          if (item) items.push(item);
        }
        yield items;
      }
    })(),
  );
}

async function* parseLineByLine(lines: AsyncIterable<string>, map: LineMapper): AsyncIterable<ParseItem> {
  let line = 0;
  for await (const raw of lines) {
    const item = parseJsonLine(raw, ++line, map);
    if (item) yield item;
  }
}

/** A JSON object, or a rejection saying what the line holds instead. */
export function asObject(v: unknown): Record<string, unknown> {
  if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  throw new Reject(`expected a JSON object, got ${Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v}`);
}

export async function collectText(lines: AsyncIterable<string>): Promise<string> {
  const parts: string[] = [];
  for await (const l of lines) parts.push(l);
  return parts.join('\n');
}

// ---------------------------------------------------------------------------------------------
// XML

const META = XMLParser.getMetaDataSymbol();

/** Values stay strings (ids like `1412.8544` must not become numbers); namespaces are dropped. */
export function newXmlParser(): XMLParser {
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    captureMetaData: true,
    // Without it numeric references (`&#233;`, which arXiv uses for non-ASCII) stay undecoded.
    // Deprecated in favour of `entityDecoder`, but it is the v5 way that decodes them correctly.
    htmlEntities: true,
  });
}

export type XmlResult = { ok: true; doc: Record<string, unknown>; lineAt: (node: unknown) => number } | { ok: false; line: number; reason: string };

/** Validates then parses; `lineAt` gives the 1-based line on which a parsed element starts. */
export function parseXml(xml: string): XmlResult {
  const body = xml.replace(/^\uFEFF/, '');
  if (body.trim() === '') return { ok: false, line: 1, reason: 'malformed XML: empty document' };
  const valid = XMLValidator.validate(body);
  if (valid !== true) return { ok: false, line: valid.err.line || 1, reason: `malformed XML: ${valid.err.msg}` };
  let doc: Record<string, unknown>;
  try {
    doc = newXmlParser().parse(body) as Record<string, unknown>;
  } catch (e) {
    return { ok: false, line: 1, reason: `malformed XML: ${errorMessage(e)}` };
  }
  const newlines: number[] = [];
  for (let i = body.indexOf('\n'); i >= 0; i = body.indexOf('\n', i + 1)) newlines.push(i);
  const lineAt = (node: unknown): number => {
    const meta = node && typeof node === 'object' ? (node as Record<symbol, { startIndex?: number } | undefined>)[META as symbol] : undefined;
    const at = meta?.startIndex;
    if (at === undefined) return 1;
    let lo = 0;
    let hi = newlines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (newlines[mid] < at) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
  return { ok: true, doc, lineAt };
}

/** The `@_name` attribute of an element, as text. */
export function attr(node: unknown, name: string): string | null {
  if (!node || typeof node !== 'object') return null;
  return text((node as Record<string, unknown>)[`@_${name}`]);
}

export function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
