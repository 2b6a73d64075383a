/**
 * Dublin Core (`oai_dc`) harvests of arXiv, in two JSONL shapes:
 *  (a) the cleaned dataset (`arxiv-cs-2007-2017`): `{id, title, abstract, authors: ["Last, First"],
 *      categories, dates: [v1, v2, …], comment, doi, journal_ref, …}`;
 *  (b) raw harvest lines `["0711.3666", {title: [...], creator: [...], description: [...], ...}]`.
 * In both, each entry of `dates` is one version: v1 is `publishedAt`, the last is `updatedAt`.
 * Neither carries a listing day.
 */
import type { PaperRecord, ParseItem } from '../../domain/paper.ts';
import { Reject, arr, asObject, authorList, categoryList, isoDate, optProse, optText, parseId, parseJsonLines, record, requireTitle, text } from './common.ts';
import { SUBJECT_TO_CATEGORY } from './oai-subjects.ts';

function versionDates(v: unknown): { publishedAt: string | null; updatedAt: string | null; version: number | null } {
  const dates = arr(v).map(isoDate).filter((d): d is string => d !== null);
  if (dates.length === 0) return { publishedAt: null, updatedAt: null, version: null };
  return { publishedAt: dates[0], updatedAt: dates[dates.length - 1], version: dates.length };
}

/** `doi:10.1/x;` → `10.1/x`; the first of several. */
export function cleanDoi(v: unknown): string | null {
  const s = optText(v);
  if (s === null) return null;
  const first = s.replace(/^(?:doi:\s*|https?:\/\/(?:dx\.)?doi\.org\/)/i, '').split(/[\s;,]+/)[0];
  const doi = first.replace(/[.;,]+$/, '');
  return doi === '' ? null : doi;
}

function fromCleaned(o: Record<string, unknown>): PaperRecord {
  const { id, version: idVersion } = parseId(o.id);
  const dates = versionDates(o.dates);
  return record({
    id,
    version: idVersion ?? dates.version,
    title: requireTitle(o.title),
    abstract: optProse(o.abstract),
    authors: authorList(o.authors),
    categories: categoryList(o.categories),
    comment: optText(o.comment),
    journalRef: optText(o.journal_ref),
    doi: cleanDoi(o.doi),
    publishedAt: dates.publishedAt,
    updatedAt: dates.updatedAt,
    source: 'oai-dc',
  });
}

/**
 * Maps raw Dublin Core fields (each an array) to a record. Shared with OAI-PMH pages harvested with
 * `metadataPrefix=oai_dc`. `fallbackId` is the OAI identifier when no `identifier` names the paper.
 */
export function fromDublinCore(dc: Record<string, unknown>, fallbackId: unknown): PaperRecord {
  const identifiers = arr(dc.identifier).map(text).filter((s): s is string => s !== null);
  const absUrl = identifiers.find((s) => /arxiv\.org\/abs\//i.test(s));
  const { id, version: idVersion } = parseId(fallbackId ?? absUrl);
  let abstract: string | null = null;
  let comment: string | null = null;
  for (const d of arr(dc.description)) {
    const s = text(d);
    if (s === null) continue;
    const c = /^\s*Comment:\s*([\s\S]*)$/.exec(s);
    if (c) comment ??= optText(c[1]);
    else abstract ??= optProse(s);
  }
  let doi: string | null = null;
  let journalRef: string | null = null;
  for (const s of identifiers) {
    if (/^\s*doi:/i.test(s)) doi ??= cleanDoi(s);
    else if (!/^\s*(?:https?:|urn:|oai:)/i.test(s)) journalRef ??= optText(s);
  }
  const categories = categoryList(
    arr(dc.subject)
      .map((s) => SUBJECT_TO_CATEGORY[optText(s) ?? ''])
      .filter((c) => c !== undefined),
  );
  const dates = versionDates(dc.date);
  return record({
    id,
    version: idVersion ?? dates.version,
    title: requireTitle(dc.title),
    abstract,
    authors: authorList(dc.creator),
    categories,
    comment,
    journalRef,
    doi,
    publishedAt: dates.publishedAt,
    updatedAt: dates.updatedAt,
    source: 'oai-dc',
  });
}

export function parseOaiDcJsonl(lines: AsyncIterable<string>): AsyncIterable<ParseItem> {
  return parseJsonLines(lines, (value) => {
    if (Array.isArray(value)) {
      if (value.length < 2 || typeof value[1] !== 'object' || value[1] === null) {
        throw new Reject('expected ["<id>", {<Dublin Core fields>}]');
      }
      return fromDublinCore(asObject(value[1]), value[0]);
    }
    return fromCleaned(asObject(value));
  });
}
