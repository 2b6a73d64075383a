/**
 * Fetches specific papers by id from the arXiv API (Atom). Used for "add this paper" flows where
 * harvesting a whole OAI-PMH day would be wasteful. Shares the PoliteClient rules with OAI-PMH.
 */
import type { ParseItem } from '../../domain/paper.ts';
import { parseArxivRef } from '../../domain/arxiv-id.ts';
import { parseAtomFeed } from '../parsers/index.ts';
import { FetchError, PoliteClient, type PoliteOptions } from './http.ts';

export const DEFAULT_API_URL = 'https://export.arxiv.org/api/query';
/** Ids per request: keeps URLs short and responses small; arXiv's examples use far fewer. */
export const IDS_PER_REQUEST = 100;

export interface ArxivApiOptions extends PoliteOptions {
  baseUrl?: string;
  client?: PoliteClient;
  /** Told after each request, with what it returned (for progress). */
  onBatch?: (info: { url: string; requested: number; returned: number }) => void;
}

export function idQueryUrl(baseUrl: string, ids: string[]): string {
  const url = new URL(baseUrl);
  url.searchParams.set('id_list', ids.join(','));
  url.searchParams.set('max_results', String(ids.length));
  return url.toString();
}

/** arXiv reports a bad request as a 400 Atom feed with one entry whose summary says why. */
function atomErrorSummary(body: string): string | null {
  const m = /<summary[^>]*>([\s\S]*?)<\/summary>/.exec(body);
  return m ? m[1].trim().replace(/\s+/g, ' ') : null;
}

/**
 * Returns the parsed entries for `ids` (bare, versioned or URL forms; versions are dropped so the
 * latest is fetched). A requested id absent from the response becomes a rejection
 * (`ok: false`, reason `<id>: not found on arXiv`) so callers report it like any bad record.
 */
export async function fetchArxivByIds(ids: string[], opts: ArxivApiOptions = {}): Promise<ParseItem[]> {
  const client = opts.client ?? new PoliteClient(opts);
  const baseUrl = opts.baseUrl ?? DEFAULT_API_URL;
  const wanted: string[] = [];
  for (const raw of ids) {
    const parsed = parseArxivRef(raw);
    if (!parsed) throw new RangeError(`not an arXiv id: "${raw}"`);
    if (!wanted.includes(parsed.id)) wanted.push(parsed.id);
  }
  const out: ParseItem[] = [];
  for (let i = 0; i < wanted.length; i += IDS_PER_REQUEST) {
    const chunk = wanted.slice(i, i + IDS_PER_REQUEST);
    const url = idQueryUrl(baseUrl, chunk);
    const res = await client.get(url);
    if (res.status >= 400) {
      const why = atomErrorSummary(res.body);
      throw new FetchError(`GET ${url} failed: HTTP ${res.status}${why ? ` (${why})` : ''}`, { url, status: res.status });
    }
    // parseAtomFeed never throws: an unreadable body comes back as a rejection, reported as such.
    const items = parseAtomFeed(res.body);
    const found = new Set<string>();
    let returned = 0;
    for (const item of items) {
      if (!item.ok) {
        out.push(item);
        continue;
      }
      // arXiv answers an unknown id with an entry titled "Error" rather than leaving it out.
      if (item.record.title.trim().toLowerCase() === 'error' || !chunk.includes(item.record.id)) continue;
      if (found.has(item.record.id)) continue;
      found.add(item.record.id);
      out.push(item);
      returned++;
    }
    for (const id of chunk) if (!found.has(id)) out.push({ ok: false, line: 0, reason: `${id}: not found on arXiv` });
    opts.onBatch?.({ url, requested: chunk.length, returned });
  }
  return out;
}
