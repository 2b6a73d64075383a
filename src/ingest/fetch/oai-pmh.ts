/**
 * Harvests arXiv metadata over OAI-PMH (ListRecords, `arXiv` metadata format), one page per
 * request, following resumption tokens. arXiv's OAI sets are archives (`cs`, `math`,
 * `physics:hep-th`), not categories, so a category such as `cs.LG` harvests its archive's set and
 * filters records client-side.
 */
import type { ParseItem } from '../../domain/paper.ts';
import { parseOaiPmhPage } from '../parsers/index.ts';
import { FetchError, PoliteClient, type PoliteOptions } from './http.ts';

export const DEFAULT_OAI_URL = 'https://export.arxiv.org/oai2';

export interface HarvestOptions extends PoliteOptions {
  baseUrl?: string;
  /**
   * OAI set, e.g. `cs` or `physics:hep-th`. Defaults to the set of `category`, else none
   * (everything); `null` asks for no set even with a category (filtering the whole list).
   */
  set?: string | null;
  /** Keep only records listing this category (`cs.LG`), or any category of this archive (`cs`). */
  category?: string;
  /** Datestamp range, YYYY-MM-DD, inclusive. */
  from?: string;
  until?: string;
  metadataPrefix?: string;
  /** Share a client (and so its request spacing) with other fetches. */
  client?: PoliteClient;
}

export interface HarvestPage {
  items: ParseItem[];
  /** 1-based. */
  page: number;
  resumptionToken: string | null;
  /** The server's estimate of the whole list, when it gives one. */
  completeListSize: number | null;
  /** Records on the page before the category filter (for progress against completeListSize). */
  harvested: number;
  /** The request that produced the page, so rejections can say where they came from. */
  url: string;
}

/** Archives that arXiv's OAI-PMH files under `physics:` (from its ListSets). */
const PHYSICS_ARCHIVES = new Set(['astro-ph', 'cond-mat', 'gr-qc', 'hep-ex', 'hep-lat', 'hep-ph', 'hep-th', 'math-ph', 'nlin', 'nucl-ex', 'nucl-th', 'physics', 'quant-ph']);

/** `cs.LG` → `cs`; `hep-th` → `physics:hep-th`; `math.AG` → `math`. */
export function setForCategory(category: string): string {
  const archive = category.split('.')[0];
  return PHYSICS_ARCHIVES.has(archive) ? `physics:${archive}` : archive;
}

export function matchesCategory(categories: string[], category: string): boolean {
  // Without a dot the user named an archive: `cs` keeps cs.LG, cs.CV, ...
  if (!category.includes('.')) return categories.some((c) => c === category || c.startsWith(category + '.'));
  return categories.includes(category);
}

export function listRecordsUrl(baseUrl: string, params: Record<string, string | undefined>): string {
  const url = new URL(baseUrl);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}

export async function* harvestOaiPmh(opts: HarvestOptions = {}): AsyncGenerator<HarvestPage> {
  const client = opts.client ?? new PoliteClient(opts);
  const baseUrl = opts.baseUrl ?? DEFAULT_OAI_URL;
  const set = opts.set === null ? undefined : (opts.set ?? (opts.category ? setForCategory(opts.category) : undefined));
  let url = listRecordsUrl(baseUrl, {
    verb: 'ListRecords',
    metadataPrefix: opts.metadataPrefix ?? 'arXiv',
    set,
    from: opts.from,
    until: opts.until,
  });
  const seenTokens = new Set<string>();
  for (let page = 1; ; page++) {
    const res = await client.get(url);
    const parsed = parseOaiPmhPage(res.body);
    // The parser reports a body that is not OAI-PMH (an HTML error page, a truncated download) as
    // these pseudo-codes; for an HTTP error the status is then the better explanation.
    const notOai = parsed.error !== null && (parsed.error.code === 'malformedXml' || parsed.error.code === 'notOaiPmh');
    if (res.status >= 400 && (notOai || !parsed.error)) throw new FetchError(`GET ${url} failed: HTTP ${res.status}`, { url, status: res.status });
    if (parsed.error) {
      // noRecordsMatch is OAI-PMH's way of saying "empty list" (e.g. a quiet weekend), not a failure.
      if (parsed.error.code === 'noRecordsMatch') {
        yield { items: [], page, resumptionToken: null, completeListSize: 0, harvested: 0, url };
        return;
      }
      const what = notOai ? `unreadable OAI-PMH response (${parsed.error.code}: ${parsed.error.message})` : `OAI-PMH error ${parsed.error.code}: ${parsed.error.message}`;
      throw new FetchError(`GET ${url} failed: ${what}`, { url, status: res.status, code: parsed.error.code });
    }
    const token = parsed.resumptionToken ? parsed.resumptionToken : null;
    const category = opts.category;
    const items = category ? parsed.items.filter((i: ParseItem) => !i.ok || matchesCategory(i.record.categories, category)) : parsed.items;
    const harvested = parsed.items.length;
    yield { items, page, resumptionToken: token, completeListSize: parsed.completeListSize, harvested, url };
    if (!token) return;
    // A server handing back a token it already gave would loop forever; stop loudly instead.
    if (seenTokens.has(token)) throw new FetchError(`OAI-PMH server repeated resumption token "${token}"`, { url });
    seenTokens.add(token);
    // Per OAI-PMH, a resumption request carries only the verb and the token (it is exclusive).
    url = listRecordsUrl(baseUrl, { verb: 'ListRecords', resumptionToken: token });
  }
}
