/**
 * `POST /api/subscriptions {email, frequency?, topics?}` → 202, whatever the address's state (new,
 * pending, confirmed, unsubscribed, bounced): the answer never tells who is subscribed. Invalid
 * input (malformed address, CR/LF anywhere, too many or too long topics, unknown fields) → 400
 * problem+json; too many requests from one client → 429.
 *
 * Anonymous JSON POSTs need no CSRF token (browsers cannot send them cross-site without a CORS
 * preflight, which this route does not answer).
 */
import { Hono } from 'hono';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../../services/errors.ts';
import { hitRateLimit } from '../../services/rate-limit.ts';
import { parseSubscriptionInput, requestSubscription } from '../../services/subscriptions.ts';
import { clientIp } from '../middleware/auth.ts';

export const ACCEPTED_BODY = {
  status: 'accepted',
  detail: 'If this address can receive email, a message is on its way to it: open its link to confirm (or manage) the subscription.',
} as const;

export function subscriptionApi(deps: AppDeps, opts: { confirmTtlHours: number }): Hono {
  const app = new Hono();
  app.post('/api/subscriptions', async (c) => {
    const type = c.req.header('content-type') ?? '';
    if (!type.startsWith('application/json')) throw new AppError('bad_request', 'Send the subscription as application/json: {"email": "...", "frequency": "daily", "topics": []}');
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw AppError.badRequest('Malformed JSON body');
    }
    const input = parseSubscriptionInput(body);
    // Counted after validation (typos cost nothing) and before any lookup.
    await hitRateLimit(deps.db, 'subscribe', clientIp(c, deps), deps.now());
    await requestSubscription(deps.db, deps.config, input, deps.now(), opts.confirmTtlHours);
    c.header('cache-control', 'no-store');
    return c.json(ACCEPTED_BODY, 202);
  });
  return app;
}
