import { sql } from 'kysely';
import type { Db } from '../../storage/db.ts';
import { rowToPaper, type PaperRow } from '../../storage/papers-repo.ts';
import type { Paper } from '../../domain/paper.ts';
import type { Facets, FacetCount, SortFields } from '../results.ts';
import { andAll, type Frag } from './keyword.ts';

/** results.ts for PostgreSQL: papers, texts and sort fields by index key, one round trip each. */

export async function loadPapersPg(db: Db, keys: number[]): Promise<Map<number, Paper>> {
  const out = new Map<number, Paper>();
  if (!keys.length) return out;
  const r = await sql<PaperRow & { doc_key: number }>`SELECT d.doc_id AS doc_key, p.* FROM search_docs d JOIN papers p ON p.id = d.paper_id WHERE d.doc_id = ANY(${keys}::int[])`.execute(db.kysely);
  for (const row of r.rows) {
    const { doc_key, ...paper } = row;
    out.set(doc_key, rowToPaper(paper as PaperRow));
  }
  return out;
}

export async function loadTextsPg(db: Db, keys: number[]): Promise<Map<number, { title: string; abstract: string }>> {
  const out = new Map<number, { title: string; abstract: string }>();
  if (!keys.length) return out;
  const r = await sql<{ k: number; title: string; abstract: string }>`SELECT d.doc_id AS k, p.title, p.abstract FROM search_docs d JOIN papers p ON p.id = d.paper_id WHERE d.doc_id = ANY(${keys}::int[])`.execute(db.kysely);
  for (const row of r.rows) out.set(row.k, { title: row.title, abstract: row.abstract });
  return out;
}

export async function loadSortFieldsPg(db: Db, keys: number[]): Promise<Map<number, SortFields>> {
  const out = new Map<number, SortFields>();
  if (!keys.length) return out;
  const r = await sql<{ k: number; pub: string | null; up: number; cats: string }>`SELECT d.doc_id AS k, p.published_at AS pub, p.upvotes AS up, p.categories AS cats FROM search_docs d JOIN papers p ON p.id = d.paper_id WHERE d.doc_id = ANY(${keys}::int[])`.execute(db.kysely);
  for (const row of r.rows) {
    let cats: string[] = [];
    try {
      cats = JSON.parse(row.cats);
    } catch {
      cats = [];
    }
    out.set(row.k, { publishedAt: row.pub ?? '', upvotes: Number(row.up), categories: Array.isArray(cats) ? cats : [] });
  }
  return out;
}

/** Facets over the whole filtered collection, for filter-only listings. */
export async function facetsForWherePg(db: Db, where: Frag[]): Promise<Facets> {
  const base = sql`FROM search_docs d JOIN papers p ON p.id = d.paper_id`;
  // The repository always writes a JSON array; anything else counts for nothing.
  const cats = await sql<FacetCount>`SELECT j.value AS value, count(*)::int AS count ${base}
    CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN p.categories LIKE '[%' THEN p.categories::jsonb ELSE '[]'::jsonb END) j(value)
    WHERE true${andAll(where)} GROUP BY j.value ORDER BY count DESC, value LIMIT 20`.execute(db.kysely);
  const years = await sql<FacetCount>`SELECT substr(p.published_at, 1, 4) AS value, count(*)::int AS count ${base}
    WHERE p.published_at IS NOT NULL${andAll(where)} GROUP BY 1 ORDER BY 1 DESC`.execute(db.kysely);
  return { categories: cats.rows, years: years.rows };
}
