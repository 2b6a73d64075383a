import { stmt } from './stats.ts';
import type SQLite from 'better-sqlite3';
import { rowToPaper, type PaperRow } from '../storage/papers-repo.ts';
import type { Paper } from '../domain/paper.ts';

/** Loading papers by index key, and facet counts, for a set of candidates. */

export interface FacetCount {
  value: string;
  count: number;
}

export interface Facets {
  categories: FacetCount[];
  years: FacetCount[];
}

function inList(n: number): string {
  return Array(n).fill('?').join(',');
}

export function loadPapers(sq: SQLite.Database, keys: number[]): Map<number, Paper> {
  const out = new Map<number, Paper>();
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500);
    const rows = stmt(sq, `SELECT d.doc_id AS doc_key, p.* FROM search_docs d JOIN papers p ON p.id = d.paper_id WHERE d.doc_id IN (${inList(chunk.length)})`).all(...chunk) as (PaperRow & { doc_key: number })[];
    for (const r of rows) out.set(r.doc_key, rowToPaper(r));
  }
  return out;
}

/** Title and abstract only: what the reranker reads. */
export function loadTexts(sq: SQLite.Database, keys: number[]): Map<number, { title: string; abstract: string }> {
  const out = new Map<number, { title: string; abstract: string }>();
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500);
    const rows = stmt(sq, `SELECT d.doc_id AS k, p.title AS title, p.abstract AS abstract FROM search_docs d JOIN papers p ON p.id = d.paper_id WHERE d.doc_id IN (${inList(chunk.length)})`).all(...chunk) as { k: number; title: string; abstract: string }[];
    for (const r of rows) out.set(r.k, { title: r.title, abstract: r.abstract });
  }
  return out;
}

export interface SortFields {
  publishedAt: string;
  upvotes: number;
  categories: string[];
}

export function loadSortFields(sq: SQLite.Database, keys: number[]): Map<number, SortFields> {
  const out = new Map<number, SortFields>();
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500);
    const rows = stmt(sq, `SELECT d.doc_id AS k, p.published_at AS pub, p.upvotes AS up, p.categories AS cats FROM search_docs d JOIN papers p ON p.id = d.paper_id WHERE d.doc_id IN (${inList(chunk.length)})`).all(...chunk) as { k: number; pub: string | null; up: number; cats: string }[];
    for (const r of rows) {
      let cats: string[] = [];
      try {
        cats = JSON.parse(r.cats);
      } catch {
        cats = [];
      }
      out.set(r.k, { publishedAt: r.pub ?? '', upvotes: Number(r.up), categories: cats });
    }
  }
  return out;
}

export function facetCounts(fields: Iterable<SortFields>, maxCategories = 20): Facets {
  const cats = new Map<string, number>();
  const years = new Map<string, number>();
  for (const f of fields) {
    for (const c of new Set(f.categories)) cats.set(c, (cats.get(c) ?? 0) + 1);
    if (f.publishedAt) {
      const y = f.publishedAt.slice(0, 4);
      years.set(y, (years.get(y) ?? 0) + 1);
    }
  }
  return {
    categories: [...cats].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, maxCategories).map(([value, count]) => ({ value, count })),
    years: [...years].sort((a, b) => (a[0] < b[0] ? 1 : -1)).map(([value, count]) => ({ value, count })),
  };
}

/** Facets straight from SQL, for filter-only listings over the whole collection. */
export function facetsForWhere(sq: SQLite.Database, where: string, params: unknown[]): Facets {
  const base = `FROM search_docs d JOIN papers p ON p.id = d.paper_id WHERE 1${where ? ` AND ${where}` : ''}`;
  const cats = stmt(sq, `SELECT j.value AS value, count(*) AS count ${base.replace('WHERE', ', json_each(p.categories) j WHERE')} GROUP BY j.value ORDER BY count DESC, value LIMIT 20`).all(...params) as FacetCount[];
  const years = stmt(sq, `SELECT substr(p.published_at, 1, 4) AS value, count(*) AS count ${base} AND p.published_at IS NOT NULL GROUP BY value ORDER BY value DESC`).all(...params) as FacetCount[];
  return { categories: cats, years };
}
