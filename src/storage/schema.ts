import type { Generated } from 'kysely';

/**
 * Table shapes as Kysely sees them. Lists (authors, categories) are JSON text so that one set of
 * migrations serves SQLite and PostgreSQL; dates are ISO-8601 text for the same reason, and
 * because ISO text sorts chronologically.
 */
export interface PapersTable {
  id: string;
  latest_version: number | null;
  title: string;
  abstract: string;
  authors: string;
  categories: string;
  primary_category: string | null;
  comment: string | null;
  journal_ref: string | null;
  doi: string | null;
  published_at: string | null;
  updated_at: string | null;
  github_repo: string | null;
  project_page: string | null;
  created_at: string;
  source: string;
  upvotes: Generated<number>;
  num_comments: Generated<number>;
}

export interface DailyEntriesTable {
  id: Generated<number>;
  paper_id: string;
  day: string;
  featured_at: string;
  featured_by: number | null;
  source: string;
  /** Editor-set order within a day; null keeps the default order (upvotes, then featured time). */
  position: number | null;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface Database {
  papers: PapersTable;
  daily_entries: DailyEntriesTable;
  settings: SettingsTable;
}
