import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../storage/db.ts';
import type { ParseItem, PaperRecord } from '../domain/paper.ts';
import { upsertPapers, type FeatureRequest } from '../storage/papers-repo.ts';
import { bulkImportSettings } from '../storage/sqlite-bulk.ts';
import type { FormatName } from './parsers/index.ts';
import { ReadError } from './lines.ts';
import { readFileEvents, type FileEvent } from './file-events.ts';
import { inProcessSource, startWorkerSource, WORKER_MIN_BYTES, type ParseSource } from './parse-source.ts';
import { startCheckpointer, type Checkpointer } from './checkpointer.ts';

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
  /**
   * Parse on a worker thread while this one writes: 'auto' (the default) does so for inputs of
   * `WORKER_MIN_BYTES` or more and parses in-process when a worker cannot start; true forces one
   * for any size (with the same fallback), false never starts one.
   */
  parseWorker?: 'auto' | boolean;
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

/**
 * Accumulates parsed items into batches of `batchSize` records and writes each batch in one
 * transaction. Counts every item read, reports rejections in input order.
 */
class BatchWriter {
  private batch: PaperRecord[] = [];
  private readonly batchSize: number;
  private readonly now: () => Date;
  private readonly mode: FeatureMode;

  constructor(
    private readonly db: Db,
    private readonly file: string,
    private readonly opts: ImportOptions,
    private readonly stats: ImportStats,
    private readonly progress?: () => void,
  ) {
    this.batchSize = opts.batchSize ?? 2000;
    this.now = opts.now ?? (() => new Date());
    this.mode = opts.feature ?? 'auto';
  }

  /** Takes a run of items; awaits only when a batch fills up. */
  async add(items: ParseItem[]): Promise<void> {
    for (const item of items) {
      this.stats.read++;
      if (item.ok) {
        this.batch.push(item.record);
        if (this.batch.length >= this.batchSize) await this.flush();
      } else {
        this.reject(item.line, item.reason);
      }
    }
  }

  reject(line: number, reason: string): void {
    this.stats.rejected++;
    this.opts.onReject?.({ file: this.file, line, reason });
  }

  async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const records = this.batch;
    this.batch = [];
    const { stats, opts } = this;
    if (opts.dryRun) {
      stats.unchanged += records.length;
      return;
    }
    const features: FeatureRequest[] = [];
    for (const r of records) {
      const day = featureDay(r, this.mode);
      if (day) features.push({ paperId: r.id, day, source: 'import', featuredBy: null, featuredAt: `${day}T00:00:00.000Z` });
    }
    const outcome = await upsertPapers(this.db, records, this.now().toISOString(), features);
    stats.inserted += outcome.inserted;
    stats.updated += outcome.updated;
    stats.unchanged += outcome.unchanged;
    stats.featured += outcome.featured;
    if (opts.onChanged && outcome.changedIds.length) await opts.onChanged(outcome.changedIds);
    this.progress?.();
  }
}

/** Writes parsed items in batched transactions. Shared by file imports and live fetches. */
export async function importItems(db: Db, file: string, items: AsyncIterable<ParseItem>, opts: ImportOptions, stats: ImportStats, progress?: () => void): Promise<void> {
  const writer = new BatchWriter(db, file, opts, stats, progress);
  try {
    for await (const item of items) await writer.add([item]);
  } catch (err) {
    if (!(err instanceof ReadError)) throw err;
    writer.reject(err.line, err.message);
  }
  await writer.flush();
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

/** Writes one file's events; `bytesRead` moves with them, and to the whole file once it is done. */
async function importEvents(db: Db, file: string, events: AsyncIterable<FileEvent>, opts: ImportOptions, stats: ImportStats): Promise<void> {
  const baseBytes = stats.bytesRead;
  let fileBytes = 0;
  const writer = new BatchWriter(db, file, opts, stats, () => {
    stats.bytesRead = baseBytes + fileBytes;
    opts.onProgress?.(stats);
  });
  for await (const ev of events) {
    switch (ev.type) {
      case 'items':
        fileBytes = ev.bytesRead;
        await writer.add(ev.items);
        break;
      case 'readError':
        writer.reject(ev.line, ev.reason);
        break;
      case 'skip':
        writer.reject(ev.line, ev.reason);
        return;
      case 'end':
        await writer.flush();
        stats.files++;
        stats.bytesRead = baseBytes + ev.size;
        opts.onProgress?.(stats);
        return;
    }
  }
}

export async function importFile(db: Db, file: string, opts: ImportOptions, stats: ImportStats): Promise<void> {
  await importEvents(db, file, readFileEvents(file, opts.format), opts, stats);
}

export async function importPaths(db: Db, inputs: string[], opts: ImportOptions): Promise<ImportStats> {
  const stats = emptyStats();
  const { files, missing } = expandInputs(inputs);
  for (const m of missing) {
    stats.rejected++;
    opts.onReject?.({ file: m, line: 0, reason: 'no such file or directory' });
  }
  for (const f of files) stats.bytesTotal += fs.statSync(f).size;
  if (files.length === 0) return stats;
  const big = stats.bytesTotal >= WORKER_MIN_BYTES;
  const wantWorker = opts.parseWorker === true || (opts.parseWorker !== false && big);
  let source: ParseSource | null = null;
  let checkpointer: Checkpointer | null = null;
  let restore: (() => void) | null = null;
  try {
    source = (wantWorker && (await startWorkerSource(files, opts.format))) || inProcessSource(files, opts.format);
    if (db.sqlite && !opts.dryRun) {
      restore = bulkImportSettings(db.sqlite);
      if (big) checkpointer = startCheckpointer(db);
    }
    for (let i = 0; i < files.length; i++) await importEvents(db, files[i], source.events(i), opts, stats);
  } finally {
    await source?.close();
    await checkpointer?.stop();
    restore?.();
  }
  return stats;
}
