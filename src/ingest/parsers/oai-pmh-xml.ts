/**
 * OAI-PMH pages from arXiv (`export.arxiv.org/oai2`): ListRecords and GetRecord with the `arXiv`
 * metadata format (and `oai_dc`, which maps like the Dublin Core harvest). Deleted records are
 * skipped silently: they are tombstones, not bad data.
 */
import type { PaperRecord, ParseItem } from '../../domain/paper.ts';
import { normalizeWhitespace } from '../../domain/text.ts';
import { Reject, arr, attr, authorList, errorMessage, isoDate, obj, optProse, optText, parseId, parseXml, record, requireTitle, text } from './common.ts';
import { cleanDoi, fromDublinCore } from './oai-dc-jsonl.ts';

export interface OaiPmhPage {
  items: ParseItem[];
  /** Token for the next page; null on the last (or only) page. */
  resumptionToken: string | null;
  completeListSize: number | null;
  /**
   * The OAI `<error code>` (e.g. `noRecordsMatch`, `badResumptionToken`), or, when the body is not
   * an OAI-PMH response at all, `malformedXml` / `notOaiPmh` (e.g. a 503 "Retry after" HTML page).
   */
  error: { code: string; message: string; line?: number } | null;
}

/** "Forenames Keyname Suffix" from the arXiv format's split author. */
function arxivAuthor(a: unknown): string {
  const o = obj(a);
  const parts = [text(o.forenames), text(o.keyname), text(o.suffix)].filter((s): s is string => s !== null && s.trim() !== '');
  return normalizeWhitespace(parts.join(' '));
}

function fromArxivFormat(m: Record<string, unknown>, headerId: unknown): PaperRecord {
  const { id, version } = parseId(m.id ?? headerId);
  const categories = (optText(m.categories) ?? '').split(' ').filter((c) => c !== '');
  const created = isoDate(m.created);
  return record({
    id,
    version,
    title: requireTitle(m.title),
    abstract: optProse(m.abstract),
    authors: authorList(arr(obj(m.authors).author).map(arxivAuthor)),
    categories: [...new Set(categories)],
    comment: optText(m.comments),
    journalRef: optText(m['journal-ref']),
    doi: cleanDoi(m.doi),
    publishedAt: created,
    // Without <updated> there has been only one version, so v1's date is also the latest.
    updatedAt: isoDate(m.updated) ?? created,
    source: 'oai-pmh',
  });
}

function fromOaiRecord(rec: Record<string, unknown>): PaperRecord | null {
  const header = obj(rec.header);
  if (attr(rec.header, 'status') === 'deleted') return null;
  const metadata = obj(rec.metadata);
  if (metadata.arXiv) return fromArxivFormat(obj(metadata.arXiv), header.identifier);
  if (metadata.dc) {
    const r = fromDublinCore(obj(metadata.dc), header.identifier);
    return { ...r, source: 'oai-pmh' };
  }
  const format = Object.keys(metadata).find((k) => !k.startsWith('@_'));
  throw new Reject(format ? `unsupported metadata format <${format}>` : 'record has no metadata');
}

/** Parses one OAI-PMH response body. Never throws. */
export function parseOaiPmhPage(xml: string): OaiPmhPage {
  const empty = { items: [], resumptionToken: null, completeListSize: null };
  const parsed = parseXml(xml);
  if (!parsed.ok) return { ...empty, error: { code: 'malformedXml', message: parsed.reason, line: parsed.line } };
  const root = parsed.doc['OAI-PMH'];
  if (root === undefined) {
    const name = Object.keys(parsed.doc).find((k) => !k.startsWith('?')) ?? 'nothing';
    return { ...empty, error: { code: 'notOaiPmh', message: `root element is <${name}>, not <OAI-PMH>` } };
  }
  const pmh = obj(root);
  const errNode = arr(pmh.error)[0];
  if (errNode !== undefined) {
    const code = attr(errNode, 'code') ?? 'unknown';
    return { ...empty, error: { code, message: optText(errNode) ?? code } };
  }
  const verb = obj(pmh.ListRecords ?? pmh.GetRecord);
  const items: ParseItem[] = [];
  for (const rec of arr(verb.record)) {
    const line = parsed.lineAt(rec);
    try {
      const r = fromOaiRecord(obj(rec));
      if (r) items.push({ ok: true, line, record: r });
    } catch (e) {
      items.push({ ok: false, line, reason: e instanceof Reject ? e.message : `unreadable record: ${errorMessage(e)}` });
    }
  }
  const tokenNode = verb.resumptionToken;
  const size = attr(tokenNode, 'completeListSize');
  return {
    items,
    // An empty <resumptionToken/> marks the last page of a list.
    resumptionToken: optText(tokenNode),
    completeListSize: size !== null && /^\d+$/.test(size.trim()) ? Number(size) : null,
    error: null,
  };
}
