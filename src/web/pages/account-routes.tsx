import { Hono } from 'hono';
import type { AppDeps } from '../deps.ts';

/** Placeholder: signup, login, logout, profile, settings (being written). */
export function accountRoutes(_deps: AppDeps): Hono {
  return new Hono();
}
