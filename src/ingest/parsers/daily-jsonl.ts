/**
 * The daily-listing dataset (`arxiv-daily-2025-2026/shards`): one paper a line, as first announced.
 *
 * The data has no v1 submission date, so `publishedAt` is the announcement day (`first_listed`),
 * usually one to three days after submission. It is the date a daily feed shows, and a later
 * source with the exact submission time (OAI, the API) may overwrite it on merge.
 */
import type { ParseItem } from '../../domain/paper.ts';
import { asObject, authorList, categoryList, dayOf, optProse, optText, parseId, parseJsonLines, record, requireTitle } from './common.ts';

export function parseDailyJsonl(lines: AsyncIterable<string>): AsyncIterable<ParseItem> {
  return parseJsonLines(lines, (value) => {
    const o = asObject(value);
    const { id, version } = parseId(o.id);
    const listedDay = dayOf(o.first_listed) ?? dayOf(Array.isArray(o.listed_dates) ? o.listed_dates[0] : null);
    return record({
      id,
      version,
      title: requireTitle(o.title),
      abstract: optProse(o.abstract),
      authors: authorList(o.authors),
      categories: categoryList(o.categories),
      comment: optText(o.comment),
      journalRef: optText(o.journal_ref),
      doi: optText(o.doi),
      publishedAt: listedDay,
      listedDay,
      source: 'arxiv-daily',
    });
  });
}
