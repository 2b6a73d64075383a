import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError, type AppErrorKind } from '../services/errors.ts';
import { statusFor } from './errors.ts';

/** The string fields of a urlencoded or multipart form; any other body gives none. */
export async function formFields(c: Context): Promise<Record<string, string>> {
  const type = c.req.header('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) return {};
  const body = await c.req.parseBody();
  return Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

export interface FormFailure {
  error: { message: string; field?: string };
  status: ContentfulStatusCode;
}

/**
 * An AppError of one of `kinds` as a message to show beside the form, with its HTTP status from
 * the one mapping in errors.ts; anything else propagates to the error page.
 */
export function asFormError(err: unknown, kinds: readonly AppErrorKind[]): FormFailure {
  if (!(err instanceof AppError) || !kinds.includes(err.kind)) throw err;
  return { error: { message: err.message, field: err.details.param }, status: statusFor(err.kind) };
}
