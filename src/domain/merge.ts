import type { Paper, PaperRecord } from './paper.ts';
import { extractLinks } from './text.ts';

/**
 * How an incoming record combines with what is stored. Keyed by arXiv id, the rules make imports
 * idempotent and order-independent enough for real harvests:
 * - a field the incoming record lacks (null / empty list) never erases a stored one;
 * - an older version than the stored one only fills gaps, it never overwrites;
 * - `published_at` is the v1 date, so the earliest known value wins (daily listings only know the
 *   announcement day, an OAI record knows the real submission date);
 * - `updated_at` and `latest_version` only move forward.
 */
export type StoredPaperFields = Omit<Paper, 'createdAt' | 'upvotes' | 'numComments'>;

export interface MergeResult {
  paper: StoredPaperFields;
  changed: boolean;
}

function minDate(a: string | null, b: string | null): string | null {
  if (!a) return b;
  if (!b) return a;
  return a <= b ? a : b;
}

function maxDate(a: string | null, b: string | null): string | null {
  if (!a) return b;
  if (!b) return a;
  return a >= b ? a : b;
}

function pick<T>(stored: T | null, incoming: T | null, incomingWins: boolean): T | null {
  if (incoming === null || incoming === undefined || (typeof incoming === 'string' && incoming === '')) return stored;
  if (stored === null || stored === undefined || (typeof stored === 'string' && stored === '')) return incoming;
  return incomingWins ? incoming : stored;
}

function pickList(stored: string[], incoming: string[], incomingWins: boolean): string[] {
  if (incoming.length === 0) return stored;
  if (stored.length === 0) return incoming;
  return incomingWins ? incoming : stored;
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function fromRecord(r: PaperRecord): StoredPaperFields {
  const links = extractLinks(r.abstract ?? '', r.comment);
  return {
    id: r.id,
    latestVersion: r.version,
    title: r.title,
    abstract: r.abstract ?? '',
    authors: r.authors,
    categories: r.categories,
    comment: r.comment,
    journalRef: r.journalRef,
    doi: r.doi,
    publishedAt: r.publishedAt,
    updatedAt: r.updatedAt,
    githubRepo: links.githubRepo,
    projectPage: links.projectPage,
    source: r.source,
  };
}

export function mergePaper(stored: StoredPaperFields | null, incoming: PaperRecord): MergeResult {
  const next = fromRecord(incoming);
  if (!stored) return { paper: next, changed: true };

  const incomingWins = stored.latestVersion === null || next.latestVersion === null || next.latestVersion >= stored.latestVersion;
  const merged: StoredPaperFields = {
    id: stored.id,
    latestVersion: stored.latestVersion === null ? next.latestVersion : next.latestVersion === null ? stored.latestVersion : Math.max(stored.latestVersion, next.latestVersion),
    title: pick(stored.title, next.title, incomingWins) ?? stored.title,
    abstract: pick(stored.abstract, next.abstract, incomingWins) ?? '',
    authors: pickList(stored.authors, next.authors, incomingWins),
    categories: pickList(stored.categories, next.categories, incomingWins),
    comment: pick(stored.comment, next.comment, incomingWins),
    journalRef: pick(stored.journalRef, next.journalRef, incomingWins),
    doi: pick(stored.doi, next.doi, incomingWins),
    publishedAt: minDate(stored.publishedAt, next.publishedAt),
    updatedAt: maxDate(stored.updatedAt, next.updatedAt),
    githubRepo: null,
    projectPage: null,
    source: stored.source,
  };
  const links = extractLinks(merged.abstract, merged.comment);
  merged.githubRepo = links.githubRepo ?? stored.githubRepo;
  merged.projectPage = links.projectPage ?? stored.projectPage;

  const changed =
    merged.latestVersion !== stored.latestVersion ||
    merged.title !== stored.title ||
    merged.abstract !== stored.abstract ||
    !sameList(merged.authors, stored.authors) ||
    !sameList(merged.categories, stored.categories) ||
    merged.comment !== stored.comment ||
    merged.journalRef !== stored.journalRef ||
    merged.doi !== stored.doi ||
    merged.publishedAt !== stored.publishedAt ||
    merged.updatedAt !== stored.updatedAt ||
    merged.githubRepo !== stored.githubRepo ||
    merged.projectPage !== stored.projectPage;
  return { paper: merged, changed };
}
