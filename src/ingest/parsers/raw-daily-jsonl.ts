/**
 * The daily scraper's original shape (`sample-days/YYYY-MM-DD.jsonl`): `summary` for the abstract,
 * `abs`/`pdf` URLs, no listing date inside the record — the day is the file's name.
 * As for the daily shards, `publishedAt` is that announcement day.
 */
import type { ParseItem } from '../../domain/paper.ts';
import { asObject, authorList, categoryList, optProse, optText, parseId, parseJsonLines, record, requireTitle } from './common.ts';

/** The YYYY-MM-DD in a file name such as `2025-10-22.jsonl` or `day-2025-10-22.jsonl.gz`. */
export function dayFromFileName(fileName: string): string | null {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const m = /(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)/.exec(base);
  if (!m) return null;
  const month = Number(m[2]);
  const day = Number(m[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 ? m[0] : null;
}

export function parseRawDailyJsonl(lines: AsyncIterable<string>, ctx: { fileName: string }): AsyncIterable<ParseItem> {
  const listedDay = dayFromFileName(ctx.fileName);
  return parseJsonLines(lines, (value) => {
    const o = asObject(value);
    const { id, version } = parseId(o.id ?? o.abs);
    return record({
      id,
      version,
      title: requireTitle(o.title),
      abstract: optProse(o.summary ?? o.abstract),
      authors: authorList(o.authors),
      categories: categoryList(o.categories),
      comment: optText(o.comment),
      journalRef: optText(o.journal_ref),
      doi: optText(o.doi),
      publishedAt: listedDay,
      listedDay,
      source: 'arxiv-daily-raw',
    });
  });
}
