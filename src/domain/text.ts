/**
 * Text normalisation shared by every ingest parser: whitespace, author names, TeX in titles and
 * abstracts, and the links a paper's abstract or comment points to.
 */

/**
 * Collapses every run of whitespace (newlines included) to one space and trims.
 *
 * Paragraph breaks are deliberately not kept: the two large datasets already carry abstracts
 * collapsed to one line, so keeping breaks only for sources that still have them (OAI, the API)
 * would make the same paper's abstract differ by source.
 */
export function normalizeWhitespace(s: string): string {
  // Testing first is several times faster on the common, already-clean input. Collapsing is
  // needed for whitespace other than a plain space, or else for two spaces in a row; `includes`
  // finds the latter far faster than any pattern, and V8 scans for `[^\S ]` twice as fast as for
  // the same characters listed one by one.
  return (s.includes('  ') || OTHER_WHITESPACE.test(s) ? s.replace(/\s+/g, ' ') : s).trim();
}

// Any whitespace but a plain space: tab, newline, no-break space, line separator...
const OTHER_WHITESPACE = /[^\S ]/;

const NAME_SUFFIX = /^(?:Jr\.?|Sr\.?|II|III|IV)$/i;

/**
 * "Last, First" → "First Last". The suffix may sit in the last-name part ("Hammons Jr., A. Roger"
 * → "A. Roger Hammons Jr.") or after a second comma ("Smith, John, Jr." → "John Smith Jr.").
 * Names without a comma, or with a shape we do not recognise, are only whitespace-collapsed.
 */
export function normalizeAuthorName(s: string): string {
  const name = normalizeText(s);
  // Most names have no comma; `name` is already trimmed, so splitting would give it back as is.
  if (!name.includes(',')) return name;
  const parts = name.split(',').map((p) => p.trim());
  if (parts.length === 2) {
    const [last, first] = parts;
    if (!first) return last;
    if (!last) return first;
    // "John Smith, Jr." is already in display order.
    if (NAME_SUFFIX.test(first)) return `${last} ${first}`;
    return `${first} ${last}`;
  }
  if (parts.length === 3 && parts[0] && parts[1] && NAME_SUFFIX.test(parts[2])) {
    return `${parts[1]} ${parts[0]} ${parts[2]}`;
  }
  return name;
}

// ---------------------------------------------------------------------------------------------
// TeX

const ACCENT_MARKS: Record<string, string> = {
  '"': '\u0308', "'": '\u0301', '`': '\u0300', '^': '\u0302', '~': '\u0303', '=': '\u0304',
  '.': '\u0307', u: '\u0306', v: '\u030C', H: '\u030B', c: '\u0327', k: '\u0328', r: '\u030A',
  d: '\u0323',
};

const SPECIAL_LETTERS: Record<string, string> = {
  ss: 'ß', o: 'ø', O: 'Ø', ae: 'æ', AE: 'Æ', oe: 'œ', OE: 'Œ', aa: 'å', AA: 'Å', l: 'ł', L: 'Ł',
  i: 'ı', j: 'ȷ',
};

/**
 * Base letter + accent → one precomposed character, or null. Returning null when Unicode has no
 * precomposed form is what keeps `\"call-cc\"` (quotes written as TeX umlauts) intact.
 */
function accented(accent: string, base: string): string | null {
  const letter = base === '\\i' ? 'i' : base === '\\j' ? 'j' : base;
  const composed = (letter + ACCENT_MARKS[accent]).normalize('NFC');
  return [...composed].length === 1 ? composed : null;
}

// Symbol accents sit against their letter (`\"o`, `\"{o}`), or one space away in mid-word
// (`Erd\" os`, `B\' en\' ezit`: hard-wrapped sources). Letter accents (`\c`, `\v`, …) need braces
// or a single spaced letter (`\c{c}`, `\c c`), because `\cc` or `\v x` are other things in
// practice. A brace pair around the whole accent is absorbed unless it is a command's argument
// (`\textbf{\"o}` keeps its braces).
const BASE = String.raw`(?:\\[ij](?![A-Za-z])|[A-Za-z])`;
const ACCENT_RE = new RegExp(
  String.raw`(?:(?<!\\[A-Za-z]+)(\{\s*))?\\(?:(["'\x60^~=.])(?:(?<=[A-Za-z]\\[\"'\x60])(\s)(?=[A-Za-z]{2}))?|([uvHckrd])(?=\s*\{|\s+[A-Za-z](?![A-Za-z]))\s*)` +
    String.raw`(?:\{\s*(${BASE})\s*\}|(${BASE}))(\s*\})?`,
  'g',
);
// `\"word\"` used as quotation marks: then a spaced `\" a` is a closing quote, not an umlaut.
const TEX_QUOTE_RE = /(?:^|[\s(])\\"[A-Za-z]/;
const SPECIAL_RE = /\{\\(ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i|j)\s*\}|\\(ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i|j)(?![A-Za-z])(?:\{\}|\s?)/g;
const STYLE_CMD_RE = /\\(?:emph|textit|textbf|textsc|texttt|textrm|textsf|textsl|underline)\{([^{}$\\]*)\}/g;
const STYLE_GROUP_RE = /\{\\(?:it|bf|em|sc|tt|rm|sf|sl)\s+([^{}$\\]*)\}/g;

const TIE_RE = /(?<![\s\\([{])~(?!\s)/g;

function convertAccents(text: string): string {
  const quotes = text.includes('\\"') && TEX_QUOTE_RE.test(text);
  return text.replace(
    ACCENT_RE,
    (m, open?: string, sym?: string, space?: string, letter?: string, bracedBase?: string, bareBase?: string, close?: string) => {
      if (space && sym === '"' && quotes) return m;
      const char = accented((sym ?? letter)!, (bracedBase ?? bareBase)!);
      if (char === null) return m;
      if (open && close) return char;
      return (open ?? '') + char + (close ?? '');
    },
  );
}

/** Rewrites a run of ordinary (non-math, non-URL) text. */
function cleanPlain(text: string): string {
  // Every rewrite below but the tie needs a backslash; most runs between math have none.
  if (!text.includes('\\')) return text.includes('~') ? text.replace(TIE_RE, ' ') : text;
  let t = text;
  // Discretionary hyphen, possibly followed by the line-wrap it allowed: "Pre\- parata";
  // and italic correction (`{\em every\/}`), which has no text at all.
  t = t.replace(/\\-\s*/g, '').replace(/\\\//g, '');
  t = convertAccents(t);
  t = t.replace(SPECIAL_RE, (m, braced?: string, bare?: string) => SPECIAL_LETTERS[braced ?? bare ?? ''] ?? m);
  t = t.replace(STYLE_CMD_RE, '$1').replace(STYLE_GROUP_RE, '$1');
  t = t.replace(/\\([&%_#$])/g, '$1');
  // A `~` between two words is a tie (`Fig.~3`); next to a space or bracket it means "about"
  // (`S(f) ~ 1/f`, `(~200 km)`) and stays. `\~` was an accent, handled above.
  t = t.replace(TIE_RE, ' ');
  return t;
}

/** Inside URLs only escaped punctuation is undone: `~` there is a real tilde. */
function cleanUrl(url: string): string {
  if (!url.includes('\\')) return url;
  return url.replace(/\\([&%_#~])/g, '$1');
}

/** Finds the end (exclusive) of the math span that starts at `i`, or -1 when it never closes. */
function mathEnd(s: string, i: number): number {
  let close: string;
  let j: number;
  if (s.startsWith('$$', i)) [close, j] = ['$$', i + 2];
  else if (s[i] === '$') [close, j] = ['$', i + 1];
  else if (s.startsWith('\\(', i)) [close, j] = ['\\)', i + 2];
  else [close, j] = ['\\]', i + 2];
  while (j < s.length) {
    if (s.startsWith(close, j)) return j + close.length;
    j += s[j] === '\\' ? 2 : 1;
  }
  return -1;
}

// What the scanner stops at: math openers, escapes (so `\$` never opens math), and URLs.
const TOKEN_RE = /\$|\\[([]|\\[\s\S]|(?<![\w./])(?:https?:\/\/|www\.)[^\s<>"{}]+/gi;

/**
 * Makes TeX in titles and abstracts readable: discretionary hyphens go, accents outside math
 * become Unicode, `\& \% \_ \# \$` are unescaped, `~` ties become spaces, `\emph{x}` and
 * `{\it x}` lose their markup. Math (`$…$`, `$$…$$`, `\(…\)`, `\[…\]`) is left byte-identical, and
 * so is everything after an unclosed math delimiter. URLs only get escapes undone. Anything not
 * recognised is left as it was.
 */
export function cleanTex(s: string): string {
  // Most titles and many abstracts have nothing to do. (`includes` scans far faster than a regex.)
  if (!s.includes('\\') && !s.includes('$') && !s.includes('~')) return s;
  let out = '';
  let plainStart = 0;
  const re = new RegExp(TOKEN_RE);
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const tok = m[0];
    const isMath = tok === '$' || tok === '\\(' || tok === '\\[';
    if (!isMath && tok[0] === '\\') continue;
    if (m.index > plainStart) out += cleanPlain(s.slice(plainStart, m.index));
    if (isMath) {
      const end = mathEnd(s, m.index);
      if (end < 0) return out + s.slice(m.index);
      out += s.slice(m.index, end);
      plainStart = re.lastIndex = end;
    } else {
      out += cleanUrl(tok);
      plainStart = re.lastIndex;
    }
  }
  if (plainStart < s.length) out += cleanPlain(s.slice(plainStart));
  return out;
}

/** Whitespace + TeX in one step, the way parsers treat titles and abstracts. */
export function normalizeText(s: string): string {
  const w = normalizeWhitespace(s);
  const t = cleanTex(w);
  return t === w ? w : normalizeWhitespace(t);
}

// ---------------------------------------------------------------------------------------------
// Links

export interface PaperLinks {
  githubRepo: string | null;
  projectPage: string | null;
}

const GITHUB_RE = /(?:https?:\/\/)?(?<![\w.\-@])(?:www\.)?github\.com\/([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)\/([\w.-]+)/gi;
// Owners that are GitHub's own pages, not users or organisations.
const GITHUB_RESERVED = new Set(['orgs', 'features', 'topics', 'sponsors', 'marketplace', 'settings', 'about', 'search', 'collections']);
const URL_RE = /https?:\/\/[^\s<>"'{}|^`\[\]]+/gi;
const EXCLUDED_HOSTS = /(?:^|\.)(?:github\.com|arxiv\.org|doi\.org)$/i;

/** Trailing sentence punctuation is not part of a URL; a `)` is, only when the URL opened one. */
function trimUrl(url: string): string {
  let u = url;
  for (;;) {
    const last = u[u.length - 1];
    if (last && '.,;:!?\'"*'.includes(last)) u = u.slice(0, -1);
    else if (last === ')' && (u.match(/\(/g)?.length ?? 0) < (u.match(/\)/g)?.length ?? 0)) u = u.slice(0, -1);
    else return u;
  }
}

/**
 * Where a scan for a match that holds the word found at `at` in `lower` (`text` lower-cased) may
 * start: `before` characters earlier, or -1 for no match. Offsets in `lower` are offsets in `text`
 * unless lower-casing changed the length (a few rare letters); then from the start.
 */
function startNear(text: string, lower: string, at: number, before: number): number {
  if (at < 0) return -1;
  return lower.length === text.length ? Math.max(0, at - before) : 0;
}

/** `re`'s matches in `text` from `start` on (none when -1); `re` itself is left untouched. */
function matchesFrom(text: string, re: RegExp, start: number): Iterable<RegExpMatchArray> {
  if (start < 0) return [];
  const r = new RegExp(re);
  r.lastIndex = start;
  return text.matchAll(r);
}

/**
 * The first GitHub repository and the first other web page named in an abstract or comment
 * (abstract first). GitHub links are reduced to `https://github.com/owner/repo`; arXiv, DOI and
 * GitHub links never count as project pages.
 */
export function extractLinks(abstract: string | null | undefined, comment: string | null | undefined): PaperLinks {
  // Both patterns are slow to scan a whole abstract with and rarely match. A match needs a `/`,
  // which most texts lack (and `includes` finds a rare character almost for free), and then
  // `github.com/` or `http` in any ASCII case, which a lower-cased copy finds many times faster;
  // a match cannot start more than a few characters before that word. Undoing escapes never makes
  // or breaks a `/` or either word, so texts without them skip that step too.
  // (Checked before joining the two: searching the joined text would first copy it.)
  if (!abstract?.includes('/') && !comment?.includes('/')) return { githubRepo: null, projectPage: null };
  const raw = `${abstract ?? ''}\n${comment ?? ''}`;
  const rawLower = raw.toLowerCase();
  if (!rawLower.includes('github.com/') && !rawLower.includes('http')) return { githubRepo: null, projectPage: null };
  const text = cleanUrl(raw);
  const lower = text === raw ? rawLower : text.toLowerCase();
  let githubRepo: string | null = null;
  // `https://www.` is the most a match holds before `github.com/`.
  for (const m of matchesFrom(text, GITHUB_RE, startNear(text, lower, lower.indexOf('github.com/'), 'https://www.'.length))) {
    const owner = m[1];
    const repo = m[2].replace(/\.+$/, '').replace(/\.git$/i, '').replace(/\.+$/, '');
    if (!repo || GITHUB_RESERVED.has(owner.toLowerCase())) continue;
    githubRepo = `https://github.com/${owner}/${repo}`;
    break;
  }
  let projectPage: string | null = null;
  for (const m of matchesFrom(text, URL_RE, startNear(text, lower, lower.indexOf('http'), 0))) {
    const url = trimUrl(m[0]);
    let host: string;
    try {
      host = new URL(url).hostname;
    } catch {
      continue;
    }
    if (!host.includes('.') || EXCLUDED_HOSTS.test(host)) continue;
    projectPage = url;
    break;
  }
  return { githubRepo, projectPage };
}
