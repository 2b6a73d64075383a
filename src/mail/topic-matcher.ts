/**
 * The one place the mail module asks "which new papers match this topic?". Digests, topic feeds
 * and webhooks all go through `newPapersForTopic`, so plugging in the search engine
 * (src/search/index.ts `searchPapers`) is a change to this file alone.
 *
 * Until then this is a fallback over SQL: every word and "quoted phrase" must occur, case
 * insensitively, in the title or abstract, and every `cat:` must be among the paper's categories.
 * It only scans papers added since `since` (indexed by created_at), which keeps it cheap.
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

/**
 * Papers added to the index at or after `since` that match `topic`, newest first. Old papers
 * imported late (a backfill) do not count as new: their arXiv date must be within 30 days of `since`.
 */
export async function newPapersForTopic(db: Db, topic: string, since: Date, limit: number): Promise<TopicPaper[]> {
  const { phrases, categories } = parseTopic(topic);
  if (phrases.length === 0 && categories.length === 0) return [];
  const oldest = new Date(since.getTime() - 30 * 86_400_000).toISOString().slice(0, 10);
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
