/**
 * A paper as every ingest parser emits it, already normalised: ids without version, authors as
 * "First Last", whitespace collapsed, TeX made readable. Fields a source does not carry are null
 * (never empty strings), so that merging never erases what an earlier source knew.
 */
export interface PaperRecord {
  /** arXiv id without version: `2503.11677` or `math/9310227`. */
  id: string;
  /** Version number if the source states one (`2503.11677v2` → 2); null when unknown. */
  version: number | null;
  title: string;
  abstract: string | null;
  /** Ordered, as "First Last". */
  authors: string[];
  /** Primary first. */
  categories: string[];
  comment: string | null;
  journalRef: string | null;
  doi: string | null;
  /** v1 submission date/time, ISO-8601 (`2025-03-14` or `2025-03-14T17:59:59Z`); null when unknown. */
  publishedAt: string | null;
  /** Latest version date/time, ISO-8601; null when unknown. */
  updatedAt: string | null;
  /** The day the record says it was listed/featured (YYYY-MM-DD), e.g. daily JSONL `first_listed`. */
  listedDay: string | null;
  /** Free-form source tag, e.g. `arxiv-daily`, `oai-pmh`, `arxiv-api`, `hf`. */
  source: string;
}

/** One thing a parser yields: a record, or a rejection that names where and why. */
export type ParseItem =
  | { ok: true; record: PaperRecord; line: number }
  | { ok: false; line: number; reason: string };

/** The row stored in `papers`, in domain terms. */
export interface Paper {
  id: string;
  latestVersion: number | null;
  title: string;
  abstract: string;
  authors: string[];
  categories: string[];
  comment: string | null;
  journalRef: string | null;
  doi: string | null;
  publishedAt: string | null;
  updatedAt: string | null;
  githubRepo: string | null;
  projectPage: string | null;
  createdAt: string;
  source: string;
  upvotes: number;
  numComments: number;
}

export type FeatureSource = 'import' | 'editor' | 'community';

export interface DailyEntry {
  paperId: string;
  day: string;
  featuredAt: string;
  featuredBy: number | null;
  source: FeatureSource;
  /** Username of `featuredBy`, when the entry was loaded with it (feeds, paper pages, the API). */
  featuredByName?: string | null;
}

/** A paper as shown on a feed: the paper plus, when featured, its entry. */
export interface FeedItem {
  paper: Paper;
  entry: DailyEntry | null;
}
