import { porterStem } from './porter.ts';

/**
 * Tokenisation that mirrors FTS5's `porter unicode61 remove_diacritics 2`: runs of letters,
 * digits and marks, lower-cased, diacritics stripped, then Porter-stemmed. The reranker and the
 * built-in embedding use it, so their terms line up with what FTS5 indexed.
 */
const WORD = /[\p{L}\p{N}\p{M}]+/gu;
// Only the Latin combining diacritics: unicode61 keeps the marks other scripts need.
const MARKS = /[\u0300-\u036f]/g;

/** Lower-cased words with diacritics removed, not stemmed (for query parsing and highlighting). */
export function words(text: string): string[] {
  const out: string[] = [];
  // Most abstracts are ASCII: skip the Unicode normalisation they do not need.
  const norm = (/[^\x00-\x7f]/.test(text) ? text.normalize('NFD').replace(MARKS, '') : text).toLowerCase();
  for (const m of norm.matchAll(WORD)) out.push(m[0]);
  return out;
}

export function stems(text: string): string[] {
  return words(text).map(porterStem);
}

/**
 * English function words plus the filler of search boxes. Dropped from the OR-ed keyword query
 * (they match nearly every abstract, cost time and add noise) but kept when a query is nothing else.
 */
export const STOPWORDS = new Set(
  (
    'a an the of in on for to and or with by from at as is are was were be been being this that these those it its ' +
    'into than then there their which who whom what when where how why not no can could may might will would shall ' +
    'should do does did has have had very also such both our we us using via about'
  ).split(' '),
);

export function isStopword(word: string): boolean {
  return STOPWORDS.has(word);
}
