import { Hono } from 'hono';
import type { AppDeps } from '../deps.ts';

/** Placeholder: votes, submissions, editor actions, trending pages and API (being written). */
export function communityRoutes(_deps: AppDeps): Hono {
  return new Hono();
}
