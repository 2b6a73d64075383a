import crypto from 'node:crypto';
import { testApp } from './db.ts';
import type { Config } from '../../src/config.ts';

export type TestApp = Awaited<ReturnType<typeof testApp>>;

/** Runs `fn` against a fresh app and database, cleaning up afterwards. */
export async function withApp(fn: (t: TestApp) => Promise<void>, config: Partial<Config> = {}): Promise<void> {
  const t = await testApp(config);
  try {
    await fn(t);
  } finally {
    await t.cleanup();
  }
}

/** GET returning status, headers and parsed JSON (or text for non-JSON bodies). */
export async function get(t: TestApp, path: string, headers: Record<string, string> = {}) {
  const res = await t.app.request(path, { headers });
  const type = res.headers.get('content-type') ?? '';
  const body = type.includes('json') ? await res.json() : await res.text();
  return { res, status: res.status, type, headers: res.headers, body: body as any };
}

/** `Link` header → { rel: path-and-query } with the origin stripped, ready for app.request. */
export function links(res: Response, origin = 'http://localhost:3000'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of (res.headers.get('link') ?? '').matchAll(/<([^>]+)>;\s*rel="([^"]+)"/g)) {
    if (!m[1]!.startsWith(origin)) throw new Error(`link not on ${origin}: ${m[1]}`);
    out[m[2]!] = m[1]!.slice(origin.length);
  }
  return out;
}

export function hex24(s: string): string {
  return crypto.createHash('sha1').update(s).digest('hex').slice(0, 24);
}
