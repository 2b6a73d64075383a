import { Hono } from 'hono';
import type { AppDeps } from '../deps.ts';

/** Placeholder: comments pages and API (being written). */
export function commentRoutes(_deps: AppDeps): Hono {
  return new Hono();
}
