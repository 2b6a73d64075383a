/**
 * Polite HTTP for arXiv. arXiv asks harvesters for at most one request every 3 seconds, a
 * User-Agent with a contact, and to honour `503 Retry-After`; ignoring that gets an IP blocked.
 * Everything that talks to arXiv goes through one PoliteClient so those rules live in one place.
 */

export const DEFAULT_USER_AGENT = 'DailyPapers/0.1 (+https://github.com/dailypapers; mailto:admin@localhost)';
export const DEFAULT_MIN_INTERVAL_MS = 3000;
export const DEFAULT_MAX_RETRIES = 5;
/** Longest Retry-After we obey as stated; a server asking for hours is capped rather than trusted. */
export const DEFAULT_MAX_RETRY_AFTER_MS = 10 * 60_000;
/** Retry-After waits are arXiv's normal flow control, not failures, so they get a much larger budget. */
export const DEFAULT_MAX_RETRY_AFTER_WAITS = 20;
export const DEFAULT_BACKOFF_MS = 5000;
export const DEFAULT_TIMEOUT_MS = 60_000;

export interface PoliteOptions {
  userAgent?: string;
  /** Minimum time between the starts of two requests (including retries). */
  minIntervalMs?: number;
  /** Retries after the first attempt for 5xx (without Retry-After) and network errors. */
  maxRetries?: number;
  /** Cap on a single Retry-After wait. */
  maxRetryAfterMs?: number;
  maxRetryAfterWaits?: number;
  /** First backoff delay; doubles per retry (5 s, 10 s, 20 s, ...), plus up to 25% jitter. */
  backoffMs?: number;
  timeoutMs?: number;
  /** Injectable for tests: a fake clock and a sleep that advances it make waits instant and checkable. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  /** Told about every wait before a retry, so a CLI can explain a pause instead of looking hung. */
  onRetry?: (info: RetryInfo) => void;
}

export interface RetryInfo {
  url: string;
  /** 1-based number of the attempt that failed. */
  attempt: number;
  status: number | null;
  error: string | null;
  waitMs: number;
  reason: 'retry-after' | 'backoff';
}

export interface PoliteResponse {
  url: string;
  status: number;
  headers: Headers;
  body: string;
}

/** A remote failure the caller cannot fix by retrying now: names the URL and what went wrong. */
export class FetchError extends Error {
  readonly url: string;
  readonly status: number | null;
  /** OAI-PMH error code (badArgument, ...) when the server answered with one. */
  readonly code: string | null;
  constructor(message: string, opts: { url: string; status?: number | null; code?: string | null; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'FetchError';
    this.url = opts.url;
    this.status = opts.status ?? null;
    this.code = opts.code ?? null;
  }
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). Returns milliseconds
 * from `now`, or null when absent or unparseable (the caller then falls back to backoff).
 */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value == null) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

/** Why a fetch() threw, in words a user can act on (ECONNREFUSED, timeout, DNS ...). */
function describeError(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'request timed out';
  if (e?.cause?.code) return e.cause.code;
  return e?.cause?.message ?? e?.message ?? String(err);
}

export class PoliteClient {
  readonly userAgent: string;
  private readonly minIntervalMs: number;
  private readonly maxRetries: number;
  private readonly maxRetryAfterMs: number;
  private readonly maxRetryAfterWaits: number;
  private readonly backoffMs: number;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly onRetry?: (info: RetryInfo) => void;
  private lastStart: number | null = null;

  constructor(opts: PoliteOptions = {}) {
    this.userAgent = opts.userAgent ?? DEFAULT_USER_AGENT;
    this.minIntervalMs = opts.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS;
    this.maxRetries = opts.maxRetries ?? DEFAULT_MAX_RETRIES;
    this.maxRetryAfterMs = opts.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
    this.maxRetryAfterWaits = opts.maxRetryAfterWaits ?? DEFAULT_MAX_RETRY_AFTER_WAITS;
    this.backoffMs = opts.backoffMs ?? DEFAULT_BACKOFF_MS;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.sleep = opts.sleep ?? realSleep;
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.onRetry = opts.onRetry;
  }

  /** Waits until `minIntervalMs` has passed since the previous request started, then marks a start. */
  private async throttle(): Promise<void> {
    if (this.lastStart !== null) {
      const wait = this.lastStart + this.minIntervalMs - this.now();
      if (wait > 0) await this.sleep(wait);
    }
    this.lastStart = this.now();
  }

  /**
   * GETs `url`, retrying 5xx/429 and network errors. Returns any other response (2xx, and 4xx so
   * that callers can read an error body such as an OAI-PMH error document).
   */
  async get(url: string): Promise<PoliteResponse> {
    let failures = 0;
    let retryAfterWaits = 0;
    for (let attempt = 1; ; attempt++) {
      await this.throttle();
      let status: number | null = null;
      let error: string | null = null;
      let retryAfter: number | null = null;
      let cause: unknown;
      try {
        const res = await fetch(url, {
          headers: { 'User-Agent': this.userAgent, Accept: 'application/xml, text/xml, application/atom+xml;q=0.9, */*;q=0.1' },
          signal: AbortSignal.timeout(this.timeoutMs),
          redirect: 'follow',
        });
        status = res.status;
        // The body is read inside the try: a connection cut mid-body is as retryable as a refused one.
        const body = await res.text();
        if (status < 500 && status !== 429) return { url, status, headers: res.headers, body };
        if (status === 503 || status === 429) retryAfter = parseRetryAfter(res.headers.get('retry-after'), this.now());
      } catch (err) {
        error = describeError(err);
        cause = err;
      }

      let waitMs: number;
      let reason: RetryInfo['reason'];
      if (retryAfter !== null && retryAfterWaits < this.maxRetryAfterWaits) {
        retryAfterWaits++;
        reason = 'retry-after';
        waitMs = Math.min(retryAfter, this.maxRetryAfterMs);
      } else {
        failures++;
        if (failures > this.maxRetries) {
          const what = status !== null ? `HTTP ${status}` : (error ?? 'unknown error');
          throw new FetchError(`GET ${url} failed after ${attempt} attempt(s): ${what}`, { url, status, cause });
        }
        reason = 'backoff';
        const base = this.backoffMs * 2 ** (failures - 1);
        // Jitter keeps several harvesters that failed together from retrying in lockstep.
        waitMs = Math.round(base * (1 + 0.25 * this.random()));
      }
      this.onRetry?.({ url, attempt, status, error, waitMs, reason });
      if (waitMs > 0) await this.sleep(waitMs);
    }
  }
}
