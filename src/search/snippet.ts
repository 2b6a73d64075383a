import { porterStem } from './porter.ts';
import { words } from './tokenize.ts';

/**
 * HTML-safe highlighting: the text is split into words and the gaps between them, every piece is
 * escaped on its own, and only words whose stem the query asked for are wrapped in `<mark>`. No
 * user or paper text is ever interpreted as HTML, and escaping never cuts an entity in half.
 */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const TOKEN = /[\p{L}\p{N}\p{M}]+/gu;

interface Tok {
  start: number;
  end: number;
  hit: boolean;
}

function tokens(text: string, stems: Set<string>): Tok[] {
  const out: Tok[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const w = words(m[0]);
    const hit = w.length > 0 && w.every((x) => stems.has(porterStem(x)));
    out.push({ start: m.index!, end: m.index! + m[0].length, hit });
  }
  return out;
}

/** Query words → the stems to highlight (stopwords excluded unless they are all there is). */
export function highlightStems(queryWords: string[]): Set<string> {
  return new Set(queryWords.filter((w) => w.length > 1 || /\d/.test(w)).map(porterStem));
}

function render(text: string, toks: Tok[], from: number, to: number): string {
  let out = '';
  let pos = from;
  for (const t of toks) {
    if (t.end <= from || t.start >= to) continue;
    if (!t.hit) continue;
    out += escapeHtml(text.slice(pos, t.start)) + `<mark>${escapeHtml(text.slice(t.start, t.end))}</mark>`;
    pos = t.end;
  }
  return out + escapeHtml(text.slice(pos, to));
}

/** The whole text, escaped, with matches marked (for titles). */
export function highlight(text: string, stems: Set<string>): string {
  if (!stems.size) return escapeHtml(text);
  return render(text, tokens(text, stems), 0, text.length);
}

/**
 * About `maxChars` of the abstract around the densest cluster of matches, escaped and marked,
 * with an ellipsis where it was cut. Without matches, the opening of the abstract.
 */
export function snippet(text: string, stems: Set<string>, maxChars = 260): string {
  if (text.length <= maxChars) return highlight(text, stems);
  const toks = tokens(text, stems);
  let bestStart = 0;
  let bestScore = -1;
  // Slide a window of tokens and keep the one covering the most distinct hits.
  let j = 0;
  for (let i = 0; i < toks.length; i++) {
    while (j < toks.length && toks[j].end - toks[i].start <= maxChars) j++;
    const seen = new Set<string>();
    let score = 0;
    for (let k = i; k < j; k++) {
      if (!toks[k].hit) continue;
      const w = text.slice(toks[k].start, toks[k].end).toLowerCase();
      score += seen.has(w) ? 0.25 : 1;
      seen.add(w);
    }
    if (score > bestScore) {
      bestScore = score;
      bestStart = i;
    }
    if (j >= toks.length) break;
  }
  if (bestScore <= 0) bestStart = 0;
  // Start a little before the first hit, preferably at a sentence start.
  let from = toks[bestStart]?.start ?? 0;
  if (bestScore > 0) {
    const firstHit = toks.slice(bestStart).find((t) => t.hit);
    const back = Math.max(0, (firstHit?.start ?? from) - 60);
    const sentence = text.lastIndexOf('. ', firstHit?.start ?? from);
    from = sentence >= back ? sentence + 2 : (toks.find((t) => t.start >= back)?.start ?? from);
  }
  let to = Math.min(text.length, from + maxChars);
  if (to < text.length) {
    const lastSpace = text.lastIndexOf(' ', to);
    if (lastSpace > from + maxChars / 2) to = lastSpace;
  }
  return (from > 0 ? '… ' : '') + render(text, toks, from, to).trim() + (to < text.length ? ' …' : '');
}
