/**
 * The one place the mail module asks "which new papers match this topic?". Digests, topic feeds
 * and webhooks all go through `newPapersForTopic`.
 *
 * It asks the search engine (src/search `searchPapers`, keyword mode: the same parsing, stemming
 * and `cat:` filters as the search box), restricted to recently published papers and sorted newest
 * first, then keeps the papers added to the index since `since`. Where the search engine cannot
 * answer (no SQLite handle, its index failing), a plain SQL fallback matches instead: every word
 * and "quoted phrase" must occur, case-insensitively, in the title or abstract, and every `cat:`
 * must be among the paper's categories.
 */
import { sql } from 'kysely';
import type { Db } from '../storage/db.ts';

import { parseTopic } from './topics.ts';
import type { DigestPaper } from './render.ts';

export interface TopicPaper extends DigestPaper {
  publishedAt: string | null;
  createdAt: string;
}

function likePattern(s: string): string {
  return `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Old papers imported late (a backfill) are not news: their arXiv date must be this recent. */
const BACKFILL_DAYS = 30;
/** Candidates asked of the search engine per topic (its maximum page). */
const SEARCH_POOL = 200;
let searchFailed = false;

/**
 * Papers added to the index at or after `since` that match `topic`, newest first. Old papers
 * imported late (a backfill) do not count as new: their arXiv date must be within 30 days of `since`.
 */
export async function newPapersForTopic(db: Db, topic: string, since: Date, limit: number): Promise<TopicPaper[]> {
  if (db.sqlite && !searchFailed) {
    try {
      return await viaSearch(db, topic, since, limit);
    } catch (err) {
      // Alerts must not stop because the index has a problem; say so once and match in SQL.
      searchFailed = true;
      console.warn(`topic alerts: the search engine failed (${(err as Error).message}); using the SQL fallback`);
    }
  }
  return viaSql(db, topic, since, limit);
}

async function viaSearch(db: Db, topic: string, since: Date, limit: number): Promise<TopicPaper[]> {
  // Loaded on first use: the search module registers its own migrations when loaded, and a process
  // that loads it applies them to its database (see the note in cli/commands/digest.ts).
  const { searchPapers } = await import('../search/index.ts');
  const oldest = new Date(since.getTime() - BACKFILL_DAYS * 86_400_000).toISOString().slice(0, 10);
  const res = await searchPapers(db, { q: topic, filters: { after: oldest }, sort: 'newest', mode: 'keyword', limit: SEARCH_POOL, facets: false, snippets: false });
  const sinceIso = since.toISOString();
  return res.hits
    .map((h) => h.paper)
    .filter((p) => p.createdAt >= sinceIso)
    .slice(0, limit)
    .map((p) => ({ id: p.id, title: p.title, abstract: p.abstract, authors: p.authors, categories: p.categories, upvotes: p.upvotes, publishedAt: p.publishedAt, createdAt: p.createdAt }));
}

async function viaSql(db: Db, topic: string, since: Date, limit: number): Promise<TopicPaper[]> {
  const { phrases, categories } = parseTopic(topic);
  if (phrases.length === 0 && categories.length === 0) return [];
  const oldest = new Date(since.getTime() - BACKFILL_DAYS * 86_400_000).toISOString().slice(0, 10);
  let q = db.kysely
    .selectFrom('papers')
    .select(['id', 'title', 'abstract', 'authors', 'categories', 'upvotes', 'published_at', 'created_at'])
    .where('created_at', '>=', since.toISOString())
    .where((eb) => eb.or([eb('published_at', 'is', null), eb('published_at', '>=', oldest)]));
  for (const p of phrases) {
    const pattern = likePattern(p);
    // lower() on both sides: SQLite's LIKE folds ASCII only, PostgreSQL's not at all.
    q = q.where((eb) => eb.or([sql<boolean>`lower(${eb.ref('title')}) like ${pattern} escape '\\'`, sql<boolean>`lower(${eb.ref('abstract')}) like ${pattern} escape '\\'`]));
  }
  for (const c of categories) {
    const pattern = likePattern(JSON.stringify(c));
    q = q.where((eb) => sql<boolean>`${eb.ref('categories')} like ${pattern} escape '\\'`);
  }
  const rows = await q.orderBy('published_at', 'desc').orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    abstract: r.abstract,
    authors: JSON.parse(r.authors),
    categories: JSON.parse(r.categories),
    upvotes: Number(r.upvotes),
    publishedAt: r.published_at,
    createdAt: r.created_at,
  }));
}
