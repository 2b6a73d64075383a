/**
 * Atom responses of arXiv's query API (`export.arxiv.org/api/query`). One entry per paper; the
 * `arxiv:` extension elements carry primary category, comment, journal ref and DOI.
 */
import type { ParseItem } from '../../domain/paper.ts';
import { Reject, arr, attr, authorList, categoryList, errorMessage, isoDate, obj, optProse, optText, parseId, parseXml, record, requireTitle, text } from './common.ts';
import { cleanDoi } from './oai-dc-jsonl.ts';

/** Parses one Atom page. Never throws: malformed XML is one rejection at the reported line. */
export function parseAtomFeed(xml: string): ParseItem[] {
  const parsed = parseXml(xml);
  if (!parsed.ok) return [{ ok: false, line: parsed.line, reason: parsed.reason }];
  const feed = parsed.doc.feed;
  if (feed === undefined) {
    const root = Object.keys(parsed.doc).find((k) => !k.startsWith('?')) ?? 'nothing';
    return [{ ok: false, line: 1, reason: `not an Atom feed: root element is <${root}>` }];
  }
  const items: ParseItem[] = [];
  for (const entry of arr(obj(feed).entry)) {
    const line = parsed.lineAt(entry);
    const e = obj(entry);
    try {
      const rawId = text(e.id);
      // The API reports a bad query as a single entry whose id points at its error page.
      if (rawId && /arxiv\.org\/api\/errors/i.test(rawId)) {
        throw new Reject(`arXiv API error: ${optText(e.summary) ?? rawId}`);
      }
      const { id, version } = parseId(e.id);
      const authors = authorList(arr(e.author).map((a) => obj(a).name));
      const categories = categoryList([attr(e.primary_category, 'term'), ...arr(e.category).map((c) => attr(c, 'term'))]);
      items.push({
        ok: true,
        line,
        record: record({
          id,
          version,
          title: requireTitle(e.title),
          abstract: optProse(e.summary),
          authors,
          categories,
          comment: optText(e.comment),
          journalRef: optText(e.journal_ref),
          doi: cleanDoi(e.doi),
          publishedAt: isoDate(e.published),
          updatedAt: isoDate(e.updated),
          source: 'arxiv-api',
        }),
      });
    } catch (err) {
      items.push({ ok: false, line, reason: err instanceof Reject ? err.message : `unreadable entry: ${errorMessage(err)}` });
    }
  }
  return items;
}

/** Feed-level paging totals (`opensearch:*`), for the API fetcher; null when absent. */
export function atomTotals(xml: string): { totalResults: number | null; startIndex: number | null; itemsPerPage: number | null } {
  const parsed = parseXml(xml);
  const feed = parsed.ok ? obj(parsed.doc.feed) : {};
  const num = (v: unknown) => {
    const s = text(v);
    return s !== null && /^\d+$/.test(s.trim()) ? Number(s) : null;
  };
  return { totalResults: num(feed.totalResults), startIndex: num(feed.startIndex), itemsPerPage: num(feed.itemsPerPage) };
}
