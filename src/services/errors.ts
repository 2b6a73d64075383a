/**
 * The one error type services throw. The web layer maps `kind` to an HTTP status and an RFC 9457
 * problem document in one place (src/web/errors.ts); the CLI maps it to a message and exit code.
 */
export type AppErrorKind = 'bad_request' | 'unauthorized' | 'forbidden' | 'not_found' | 'conflict' | 'rate_limited' | 'unavailable';

export interface AppErrorDetails {
  /** The request parameter or field at fault, e.g. `date`. */
  param?: string;
  /** Seconds until a rate-limited request may be retried. */
  retryAfter?: number;
  [key: string]: unknown;
}

export class AppError extends Error {
  readonly kind: AppErrorKind;
  readonly details: AppErrorDetails;

  constructor(kind: AppErrorKind, message: string, details: AppErrorDetails = {}) {
    super(message);
    this.name = 'AppError';
    this.kind = kind;
    this.details = details;
  }

  static badRequest(message: string, param?: string): AppError {
    return new AppError('bad_request', message, param ? { param } : {});
  }

  static notFound(message: string): AppError {
    return new AppError('not_found', message);
  }
}
