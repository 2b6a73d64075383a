/**
 * Hugging Face `/api/daily_papers` JSON: an array of items `{paper: {...}, publishedAt, title, …}`,
 * a single item, a bare `paper` object, an array of those, or the same one per line (JSONL).
 * The listing day is the day the paper was submitted to the daily page (`submittedOnDailyAt`),
 * else the outer item's `publishedAt`. Keys starting with `_` are annotations and ignored.
 */
import type { PaperRecord, ParseItem } from '../../domain/paper.ts';
import { Reject, arr, asObject, authorList, categoryList, collectText, dayOf, errorMessage, isoDate, obj, optProse, optText, parseId, parseJsonLines, record, requireTitle } from './common.ts';
import { cleanDoi } from './oai-dc-jsonl.ts';

function fromItem(value: unknown): PaperRecord {
  const item = asObject(value);
  const paper = item.paper && typeof item.paper === 'object' ? obj(item.paper) : item;
  const { id, version } = parseId(paper.id);
  return record({
    id,
    version,
    title: requireTitle(paper.title ?? item.title),
    abstract: optProse(paper.summary ?? item.summary),
    authors: authorList(arr(paper.authors).map((a) => (typeof a === 'string' ? a : obj(a).name))),
    categories: categoryList(paper.categories),
    comment: optText(paper.comment),
    journalRef: optText(paper.journalRef),
    doi: cleanDoi(paper.doi),
    publishedAt: isoDate(paper.publishedAt),
    listedDay: dayOf(paper.submittedOnDailyAt) ?? dayOf(item.submittedOnDailyAt) ?? (item !== paper ? dayOf(item.publishedAt) : null),
    source: 'hf',
  });
}

/** Items of a whole JSON document, and how deep they sit (for line numbers). */
function itemsOf(doc: unknown): { items: unknown[]; depth: number } {
  return Array.isArray(doc) ? { items: doc, depth: 1 } : { items: [doc], depth: 0 };
}

/** 1-based lines of the values that open at `depth` (0 = the document itself), in order. */
function valueLines(body: string, depth: number): number[] {
  const out: number[] = [];
  let line = 1;
  let d = 0;
  let inString = false;
  let atValue = true;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\n') line++;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      if (d === depth && atValue) out.push(line);
      atValue = false;
      inString = true;
    } else if (c === '{' || c === '[') {
      if (d === depth) out.push(line);
      d++;
      atValue = true;
    } else if (c === '}' || c === ']') d--;
    else if (c === ',' || c === ':') atValue = true;
    else if (d === depth && atValue && !/\s/.test(c)) {
      out.push(line); // a bare number/literal item
      atValue = false;
    }
  }
  return out;
}

export async function* parseHfDailyJson(lines: AsyncIterable<string>): AsyncIterable<ParseItem> {
  const body = (await collectText(lines)).replace(/^\uFEFF/, '');
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (e) {
    // Not one JSON document: if its first line is JSON on its own, take it as JSONL.
    const first = body.split('\n').find((l) => l.trim() !== '') ?? '';
    let firstIsJson = false;
    try {
      JSON.parse(first);
      firstIsJson = body.trim() !== first.trim();
    } catch {
      // fall through to the document error
    }
    if (firstIsJson) {
      yield* parseJsonLines(
        (async function* () {
          yield* body.split('\n');
        })(),
        fromItem,
      );
      return;
    }
    const pos = /position (\d+)/.exec(errorMessage(e));
    const line = pos ? body.slice(0, Number(pos[1])).split('\n').length : 1;
    yield { ok: false, line, reason: `invalid JSON: ${errorMessage(e)}` };
    return;
  }
  const { items, depth } = itemsOf(doc);
  const starts = valueLines(body, depth);
  for (let i = 0; i < items.length; i++) {
    const line = starts[i] ?? 1;
    try {
      yield { ok: true, line, record: fromItem(items[i]) };
    } catch (e) {
      yield { ok: false, line, reason: e instanceof Reject ? e.message : `unreadable item: ${errorMessage(e)}` };
    }
  }
}
