/**
 * arXiv identifiers. New style `YYMM.NNNN(N)` (4 digits until 2014-12, 5 since), old style
 * `archive(.SUBJ)/YYMMNNN`. A version suffix `vN` may follow either; the canonical id has none.
 */
const NEW_STYLE = /^(\d{2})(\d{2})\.(\d{4,5})(?:v(\d+))?$/;
const OLD_STYLE = /^([a-z]+(?:-[a-z]+)*)(?:\.[A-Z]{2})?\/(\d{2})(\d{2})(\d{3})(?:v(\d+))?$/;

export interface ParsedArxivId {
  /** Canonical id without version. */
  id: string;
  version: number | null;
}

/** Parses a bare id (`2503.11677v2`, `math/9310227`, `arXiv:2503.11677`); null when it is not one. */
export function parseArxivId(input: string): ParsedArxivId | null {
  const s = input.trim().replace(/^arxiv:/i, '');
  const n = NEW_STYLE.exec(s);
  if (n) {
    const month = Number(n[2]);
    if (month < 1 || month > 12) return null;
    // Five-digit sequence numbers started in 1501; four-digit ones ended in 1412.
    const yymm = Number(n[1] + n[2]);
    if (n[3].length === 5 && yymm < 1501) return null;
    if (n[3].length === 4 && yymm >= 1501) return null;
    return { id: `${n[1]}${n[2]}.${n[3]}`, version: n[4] ? Number(n[4]) : null };
  }
  const o = OLD_STYLE.exec(s);
  if (o) {
    const month = Number(o[3]);
    if (month < 1 || month > 12) return null;
    const archive = s.slice(0, s.indexOf('/'));
    return { id: `${archive}/${o[2]}${o[3]}${o[4]}`, version: o[5] ? Number(o[5]) : null };
  }
  return null;
}

/**
 * Accepts what users paste: a bare id, or an arXiv abs/pdf/html URL
 * (`https://arxiv.org/abs/2503.11677v2`, `https://arxiv.org/pdf/2503.11677.pdf`), or an
 * `oai:arXiv.org:` identifier.
 */
export function parseArxivRef(input: string): ParsedArxivId | null {
  let s = input.trim();
  s = s.replace(/^oai:arxiv\.org:/i, '');
  const url = /^(?:https?:\/\/)?(?:www\.|export\.)?arxiv\.org\/(?:abs|pdf|html)\/(.+?)(?:\.pdf)?\/?(?:[?#].*)?$/i.exec(s);
  if (url) s = url[1];
  return parseArxivId(s);
}

export function isArxivId(input: string): boolean {
  const p = parseArxivId(input);
  return p !== null && p.version === null && p.id === input;
}

export function arxivAbsUrl(id: string): string {
  return `https://arxiv.org/abs/${id}`;
}

export function arxivPdfUrl(id: string): string {
  return `https://arxiv.org/pdf/${id}`;
}
