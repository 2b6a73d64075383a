import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../storage/db.ts';
import type { ParseItem, PaperRecord } from '../domain/paper.ts';
import { upsertPapers, type FeatureRequest } from '../storage/papers-repo.ts';
import { detectFormat, parse, type FormatName } from './parsers/index.ts';
import { openLines, peekLines, ReadError } from './lines.ts';

/** When imported papers are put on the daily feed. */
export type FeatureMode =
  /** Records that carry a listing day (daily listings, HF daily papers) are featured on that day. */
  | 'auto'
  /** Every record is featured: on its listing day, else on its v1 day. */
  | 'always'
  /** Nothing is featured. */
  | 'never';

export interface Rejection {
  file: string;
  line: number;
  reason: string;
}

export interface ImportStats {
  files: number;
  read: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  featured: number;
  /** Compressed bytes read so far / in total, for progress and ETA. */
  bytesRead: number;
  bytesTotal: number;
  startedAt: number;
}

export interface ImportOptions {
  format?: FormatName | 'auto';
  feature?: FeatureMode;
  /** Records per transaction. Large batches amortise commits; 2,000 keeps memory small. */
  batchSize?: number;
  dryRun?: boolean;
  now?: () => Date;
  onReject?: (r: Rejection) => void;
  onProgress?: (s: ImportStats) => void;
  /** Ids whose row changed, per committed batch (for index updates). */
  onChanged?: (ids: string[]) => void | Promise<void>;
}

export function emptyStats(): ImportStats {
  return { files: 0, read: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0, featured: 0, bytesRead: 0, bytesTotal: 0, startedAt: Date.now() };
}

function featureDay(r: PaperRecord, mode: FeatureMode): string | null {
  if (mode === 'never') return null;
  if (r.listedDay) return r.listedDay;
  if (mode === 'always' && r.publishedAt) return r.publishedAt.slice(0, 10);
  return null;
}

/** Writes parsed items in batched transactions. Shared by file imports and live fetches. */
export async function importItems(db: Db, file: string, items: AsyncIterable<ParseItem>, opts: ImportOptions, stats: ImportStats, progress?: () => void): Promise<void> {
  const batchSize = opts.batchSize ?? 2000;
  const now = opts.now ?? (() => new Date());
  const mode = opts.feature ?? 'auto';
  let batch: PaperRecord[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const records = batch;
    batch = [];
    if (opts.dryRun) {
      stats.unchanged += records.length;
      return;
    }
    const features: FeatureRequest[] = [];
    for (const r of records) {
      const day = featureDay(r, mode);
      if (day) features.push({ paperId: r.id, day, source: 'import', featuredBy: null, featuredAt: `${day}T00:00:00.000Z` });
    }
    const outcome = await upsertPapers(db, records, now().toISOString(), features);
    stats.inserted += outcome.inserted;
    stats.updated += outcome.updated;
    stats.unchanged += outcome.unchanged;
    stats.featured += outcome.featured;
    if (opts.onChanged && outcome.changedIds.length) await opts.onChanged(outcome.changedIds);
    progress?.();
  };
  const reject = (line: number, reason: string) => {
    stats.rejected++;
    opts.onReject?.({ file, line, reason });
  };
  try {
    for await (const item of items) {
      stats.read++;
      if (item.ok) {
        batch.push(item.record);
        if (batch.length >= batchSize) await flush();
      } else {
        reject(item.line, item.reason);
      }
    }
  } catch (err) {
    if (!(err instanceof ReadError)) throw err;
    reject(err.line, err.message);
  }
  await flush();
}

/** Expands directories (recursively, sorted) into the files to import. */
export function expandInputs(inputs: string[]): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  const walk = (p: string) => {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      missing.push(p);
      return;
    }
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(p).sort()) {
        if (name.startsWith('.')) continue;
        walk(path.join(p, name));
      }
    } else {
      files.push(p);
    }
  };
  for (const i of inputs) walk(i);
  return { files, missing };
}

export async function importFile(db: Db, file: string, opts: ImportOptions, stats: ImportStats): Promise<void> {
  const source = await openLines(file);
  let baseBytes = stats.bytesRead;
  const progress = () => {
    stats.bytesRead = baseBytes + source.bytesRead();
    opts.onProgress?.(stats);
  };
  let format: FormatName | null;
  let lines: AsyncIterable<string> = source.lines;
  try {
    const peeked = await peekLines(source.lines);
    lines = peeked.lines;
    format = opts.format && opts.format !== 'auto' ? opts.format : detectFormat(peeked.head, path.basename(file));
  } catch (err) {
    if (!(err instanceof ReadError)) throw err;
    stats.rejected++;
    opts.onReject?.({ file, line: err.line, reason: err.message });
    return;
  }
  if (!format) {
    stats.rejected++;
    opts.onReject?.({ file, line: 1, reason: 'unknown format (use --format to say which)' });
    return;
  }
  await importItems(db, file, parse(format, lines, { fileName: path.basename(file) }), opts, stats, progress);
  stats.files++;
  stats.bytesRead = baseBytes + source.size;
  baseBytes = stats.bytesRead;
  opts.onProgress?.(stats);
}

export async function importPaths(db: Db, inputs: string[], opts: ImportOptions): Promise<ImportStats> {
  const stats = emptyStats();
  const { files, missing } = expandInputs(inputs);
  for (const m of missing) {
    stats.rejected++;
    opts.onReject?.({ file: m, line: 0, reason: 'no such file or directory' });
  }
  for (const f of files) stats.bytesTotal += fs.statSync(f).size;
  for (const f of files) await importFile(db, f, opts, stats);
  return stats;
}
