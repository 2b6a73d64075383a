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
  trending_score: Generated<number>;
  trending_at: string | null;
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

export interface UsersTable {
  id: Generated<number>;
  username: string;
  email: string;
  password_hash: string;
  role: string;
  created_at: string;
  banned_at: string | null;
  failed_logins: Generated<number>;
  locked_until: string | null;
}

export interface SessionsTable {
  /** SHA-256 of the cookie value: a leaked database does not leak live sessions. */
  id_hash: string;
  user_id: number;
  created_at: string;
  expires_at: string;
}

export interface ApiTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  token_hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface VotesTable {
  user_id: number;
  paper_id: string;
  created_at: string;
}

export interface CommentsTable {
  id: Generated<number>;
  paper_id: string;
  user_id: number;
  parent_id: number | null;
  body: string;
  created_at: string;
  updated_at: string | null;
  deleted_at: string | null;
  hidden_at: string | null;
  upvotes: Generated<number>;
  downvotes: Generated<number>;
  score: Generated<number>;
}

export interface CommentVotesTable {
  user_id: number;
  comment_id: number;
  value: number;
  created_at: string;
}

export interface RateLimitsTable {
  key: string;
  window_start: number;
  count: number;
}

export interface Database {
  papers: PapersTable;
  daily_entries: DailyEntriesTable;
  settings: SettingsTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  votes: VotesTable;
  comments: CommentsTable;
  comment_votes: CommentVotesTable;
  rate_limits: RateLimitsTable;
}
