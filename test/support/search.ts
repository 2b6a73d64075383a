import fs from 'node:fs';
import path from 'node:path';
import { testApp } from './db.ts';
import { importPaths } from '../../src/ingest/pipeline.ts';
import { configureSearch, flushSearchIndex, searchIndexHook } from '../../src/search/index.ts';

export const SHARED = path.resolve(import.meta.dirname, '../../../shared/data');
/** A real announcement day: 610 records, 484 unique papers (cross-lists repeat). */
export const DAY_FILE = path.join(SHARED, 'arxiv-daily-2025-2026/sample-days/2026-03-10.jsonl');
export const OTHER_DAY_FILE = path.join(SHARED, 'arxiv-daily-2025-2026/sample-days/2025-10-22.jsonl');

export interface RawRecord {
  id: string;
  title: string;
  summary: string;
  authors: string[];
  categories: string[];
  [k: string]: unknown;
}

/** The day file's records, first occurrence of each id. */
export function dayRecords(file = DAY_FILE): RawRecord[] {
  const seen = new Set<string>();
  const out: RawRecord[] = [];
  for (const l of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!l.trim()) continue;
    const r = JSON.parse(l) as RawRecord;
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    out.push(r);
  }
  return out;
}

/**
 * An app over a real SQLite file holding the real day, imported the way the CLI does it: through
 * importPaths with the search index hook, then a flush. The built-in provider is chosen explicitly
 * so that a developer's SEARCH_PROVIDER does not change what the tests see.
 */
export async function searchWorld() {
  const t = await testApp({}, new Date('2026-03-12T12:00:00Z'));
  await configureSearch(t.db, { provider: 'builtin' });
  const stats = await importPaths(t.db, [DAY_FILE], { onChanged: searchIndexHook(t.db) });
  await flushSearchIndex(t.db);
  return { ...t, stats };
}

export type SearchWorld = Awaited<ReturnType<typeof searchWorld>>;

export async function getText(t: SearchWorld, p: string, headers: Record<string, string> = {}) {
  const res = await t.app.request(p, { headers });
  return { res, status: res.status, body: await res.text() };
}

export async function getJson(t: SearchWorld, p: string) {
  const res = await t.app.request(p);
  const type = res.headers.get('content-type') ?? '';
  return { res, status: res.status, type, body: (await res.json()) as any };
}

/** Ids of the result cards on a search page, in order. */
export function resultIds(html: string): string[] {
  const list = /<ol class="cards" aria-label="Search results">([\s\S]*?)<\/ol>/.exec(html)?.[1] ?? '';
  return [...list.matchAll(/<li id="paper-([^"]+)">/g)].map((m) => m[1]!);
}

export const HOSTILE = ['"', '*', 'NEAR(', '-', 'AND OR', '\\frac{a}{b}', '🤖 emoji 🧪', 'x'.repeat(250), '<script>alert(1)</script>', 'title:foo', '"unclosed phrase', '- - -', 'NOT', '()', '^', 'a*b', "'; DROP TABLE papers; --", 'cat:', 'year:abc', 'after:2025-13-45', 'author:"', '\u0000', 'ДНК 模型 🔬'];
