import { words, isStopword } from './tokenize.ts';

/**
 * The search box language: free words, `"exact phrase"`, `-exclude` / `-"phrase"`, and filters
 * `author:hinton`, `author:"geoffrey hinton"`, `cat:cs.CL` (or `cat:cs` for a whole archive),
 * `year:2024`, `after:2025-01-01`, `before:2025-06-30` (both inclusive; `YYYY` and `YYYY-MM` work),
 * `has:code`. Repeated `cat:` / `author:` filters are OR-ed within their kind, every kind is AND-ed.
 *
 * Nothing the user types reaches FTS5 as syntax: the parser keeps only words (letters, digits,
 * marks) and `toFtsMatch` quotes every one of them. Unknown `key:value` tokens are plain text, an
 * invalid filter value becomes a warning, and nothing here throws.
 */

export type FilterKey = 'author' | 'cat' | 'year' | 'after' | 'before' | 'has';

export interface ActiveFilter {
  key: FilterKey;
  value: string;
  /** Human-readable, e.g. `Category: cs.CL`. */
  label: string;
  /** The query text without this filter, for a "remove" link. */
  without: string;
}

export interface ParsedQuery {
  /** Free words, lower-cased, in order (stopwords included; see `keywordTerms`). */
  terms: string[];
  /** Required phrases, each as its words. */
  phrases: string[][];
  /** Excluded words or phrases. */
  excludes: string[][];
  /** Author filters, each as its words (matched as a phrase in the authors field). */
  authors: string[][];
  /** Category filters: `cs.CL` exact, or an archive prefix like `cs` / `math`. */
  categories: string[];
  year: number | null;
  /** Inclusive lower bound, `YYYY-MM-DD`. */
  after: string | null;
  /** Inclusive upper bound, `YYYY-MM-DD`. */
  before: string | null;
  hasCode: boolean;
  /** The text an embedding model should see: free words and phrases. */
  semanticText: string;
  filters: ActiveFilter[];
  warnings: string[];
}

/** Structured filters from form controls, merged with those typed in the box. */
export interface SearchFilters {
  author?: string | string[];
  category?: string | string[];
  year?: number | string;
  after?: string;
  before?: string;
  hasCode?: boolean;
}

interface Token {
  start: number;
  end: number;
  neg: boolean;
  key: string | null;
  value: string;
  quoted: boolean;
}

const KEYS = new Set(['author', 'cat', 'year', 'after', 'before', 'has']);
const MAX_QUERY = 1000;

function scan(q: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < q.length) {
    while (i < q.length && /\s/.test(q[i])) i++;
    if (i >= q.length) break;
    const start = i;
    let neg = false;
    if (q[i] === '-' && i + 1 < q.length && !/\s/.test(q[i + 1])) {
      neg = true;
      i++;
    }
    let key: string | null = null;
    const km = /^([a-zA-Z]+):(?=\S)/.exec(q.slice(i, i + 12));
    if (km && KEYS.has(km[1].toLowerCase())) {
      key = km[1].toLowerCase();
      i += km[0].length;
    }
    let value: string;
    let quoted = false;
    if (q[i] === '"' || q[i] === '\u201c' || q[i] === '\u201d') {
      const close = q.slice(i + 1).search(/["\u201c\u201d]/);
      const end = close < 0 ? q.length : i + 1 + close;
      value = q.slice(i + 1, end);
      quoted = true;
      i = Math.min(q.length, end + 1);
    } else {
      const m = /^\S+/.exec(q.slice(i));
      value = m ? m[0] : '';
      i += value.length;
    }
    out.push({ start, end: i, neg, key, value, quoted });
  }
  return out;
}

/** `YYYY`, `YYYY-MM` or `YYYY-MM-DD` → the first or last day it covers; null when invalid. */
export function normaliseDate(v: string, end: boolean): string | null {
  const m = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$/.exec(v.trim());
  if (!m) return null;
  const y = Number(m[1]);
  const mo = m[2] ? Number(m[2]) : end ? 12 : 1;
  if (y < 1000 || mo < 1 || mo > 12) return null;
  const last = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  const d = m[3] ? Number(m[3]) : end ? last : 1;
  if (d < 1 || d > last) return null;
  return `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Categories look like `cs.CL`, `hep-th`, `math.AG`, `q-bio.NC`; anything else is ignored. */
function normaliseCategory(v: string): string | null {
  const s = v.trim();
  return /^[a-zA-Z][a-zA-Z-]{0,15}(\.[a-zA-Z-]{1,8})?$/.test(s) ? s : null;
}

function emptyQuery(): ParsedQuery {
  return { terms: [], phrases: [], excludes: [], authors: [], categories: [], year: null, after: null, before: null, hasCode: false, semanticText: '', filters: [], warnings: [] };
}

function asList(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export function parseQuery(input: string, extra: SearchFilters = {}): ParsedQuery {
  const q = String(input ?? '').slice(0, MAX_QUERY);
  const p = emptyQuery();
  const tokens = scan(q);
  const without = (t: Token) => (q.slice(0, t.start) + q.slice(t.end)).replace(/\s+/g, ' ').trim();
  const sem: string[] = [];
  const addFilter = (key: FilterKey, value: string, label: string, t: Token | null) => {
    if (p.filters.some((f) => f.key === key && f.value.toLowerCase() === value.toLowerCase())) return;
    p.filters.push({ key, value, label, without: t ? without(t) : q.trim() });
  };
  const apply = (key: string, raw: string, t: Token | null) => {
    const v = raw.trim();
    if (!v) return;
    switch (key) {
      case 'author': {
        const w = words(v);
        if (w.length) {
          p.authors.push(w);
          addFilter('author', v, `Author: ${v}`, t);
        }
        return;
      }
      case 'cat': {
        const c = normaliseCategory(v);
        if (c) {
          if (!p.categories.some((x) => x.toLowerCase() === c.toLowerCase())) p.categories.push(c);
          addFilter('cat', c, `Category: ${c}`, t);
        } else p.warnings.push(`ignored category "${v}"`);
        return;
      }
      case 'year': {
        const y = /^\d{4}$/.test(v) ? Number(v) : NaN;
        if (y >= 1000 && y <= 9999) {
          p.year = y;
          p.filters = p.filters.filter((f) => f.key !== 'year');
          addFilter('year', String(y), `Year: ${y}`, t);
        } else p.warnings.push(`ignored year "${v}"`);
        return;
      }
      case 'after':
      case 'before': {
        const d = normaliseDate(v, key === 'before');
        if (d) {
          p[key] = d;
          p.filters = p.filters.filter((f) => f.key !== key);
          addFilter(key, d, `${key === 'after' ? 'From' : 'Until'} ${d}`, t);
        } else p.warnings.push(`ignored ${key} date "${v}" (use YYYY-MM-DD)`);
        return;
      }
      case 'has': {
        if (/^(code|github|repo)$/i.test(v)) {
          p.hasCode = true;
          addFilter('has', 'code', 'Has code', t);
        } else p.warnings.push(`ignored has:${v} (only has:code is known)`);
        return;
      }
    }
  };
  for (const t of tokens) {
    if (t.key && !t.neg) {
      apply(t.key, t.value, t);
      continue;
    }
    // A negated filter (`-cat:cs.CL`) is not supported: treat it as excluded text, never as syntax.
    const w = words(t.key ? `${t.key} ${t.value}` : t.value);
    if (!w.length) continue;
    if (t.neg) p.excludes.push(w);
    else if (t.quoted && w.length > 1) {
      p.phrases.push(w);
      sem.push(w.join(' '));
    } else {
      p.terms.push(...w);
      sem.push(w.join(' '));
    }
  }
  for (const a of asList(extra.author)) apply('author', a, null);
  for (const c of asList(extra.category)) apply('cat', c, null);
  if (extra.year !== undefined && extra.year !== '') apply('year', String(extra.year), null);
  if (extra.after) apply('after', extra.after, null);
  if (extra.before) apply('before', extra.before, null);
  if (extra.hasCode) apply('has', 'code', null);
  p.semanticText = sem.join(' ');
  return p;
}

/** Free words worth matching: stopwords dropped unless nothing else is left; duplicates removed. */
export function keywordTerms(p: ParsedQuery): string[] {
  const uniq = [...new Set(p.terms)];
  const content = uniq.filter((w) => !isStopword(w));
  return content.length ? content : uniq;
}

const quote = (ws: string[]) => `"${ws.join(' ').replace(/"/g, '""')}"`;

/**
 * The FTS5 MATCH expression, or null when the query has no positive text condition (then the
 * search is a filtered listing). Free words are OR-ed (ranked by bm25, so papers matching more
 * and rarer words come first); phrases and authors are required; excludes are subtracted.
 */
export function toFtsMatch(p: ParsedQuery, onlyTerms?: string[]): string | null {
  const required: string[] = [];
  const terms = onlyTerms ?? keywordTerms(p);
  if (terms.length) required.push(`(${terms.map((t) => quote([t])).join(' OR ')})`);
  for (const ph of p.phrases) required.push(quote(ph));
  if (p.authors.length) required.push(`(${p.authors.map((a) => `authors : ${quote(a)}`).join(' OR ')})`);
  if (!required.length) return null;
  let expr = required.join(' AND ');
  if (p.excludes.length) expr = `(${expr}) NOT (${p.excludes.map(quote).join(' OR ')})`;
  return expr;
}

/** FTS5 expression for the excluded words alone (used when there is no positive text). */
export function toExcludeMatch(p: ParsedQuery): string | null {
  return p.excludes.length ? p.excludes.map(quote).join(' OR ') : null;
}

/** Whether the query asks for anything at all (text or filters). */
export function isEmptyQuery(p: ParsedQuery): boolean {
  return !p.terms.length && !p.phrases.length && !p.excludes.length && !p.filters.length;
}
