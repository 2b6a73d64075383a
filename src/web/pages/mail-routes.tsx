/**
 * Email subscriptions and feeds in the browser:
 *
 *   GET/POST /subscribe                 the form; every valid request answers "check your inbox" (202)
 *   GET      /subscribe/confirm?token=  double opt-in: confirms (and links a signed-in account with this address)
 *   GET/POST /subscription[?token=]     manage: frequency, topics, webhooks, unsubscribe
 *   GET      /unsubscribe?token=        asks, offering weekly instead; changes nothing by itself
 *   POST     /unsubscribe?token=        RFC 8058 one-click (body List-Unsubscribe=One-Click: 200, no page),
 *                                       or the page's own buttons (unsubscribe, resubscribe, frequency)
 *   POST     /api/subscriptions         JSON, see api/subscriptions.ts
 *   feeds                               see feeds.tsx
 */
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../../services/errors.ts';
import { hitRateLimit } from '../../services/rate-limit.ts';
import {
  addWebhook, confirmSubscription, linkToUser, listWebhooks, parseEmail, parseFrequency, parseTopics, removeWebhook, requestSubscription, resubscribe,
  subscriberForToken, topicsFromLines, unsubscribe, updateSubscription, DEFAULT_CONFIRM_TTL_HOURS,
} from '../../services/subscriptions.ts';
import { findSubscriberByUser, type Subscriber } from '../../storage/subscriptions-repo.ts';
import { signToken } from '../../mail/tokens.ts';
import { clientIp, csrfToken, currentUser } from '../middleware/auth.ts';
import { Layout, Notice } from './layout.tsx';
import { CheckInboxPage, SubscribeForm, SubscribePage, type FormError } from './subscribe-page.tsx';
import { ManagePage } from './subscription-page.tsx';
import { ConfirmedPage, LinkErrorPage, UnsubscribePage, type UnsubscribeState } from './unsubscribe-page.tsx';
import { feedRoutes } from './feeds.tsx';
import { subscriptionApi } from '../api/subscriptions.ts';
import { asFormError as asFormErrorOf, formFields } from '../forms.ts';

const shownOnForm = ['bad_request', 'conflict', 'not_found', 'rate_limited'] as const;

const DONE: Record<string, string> = {
  saved: 'Your preferences are saved.',
  unsubscribed: 'You are unsubscribed: no more digests.',
  resubscribed: 'You are subscribed again.',
  'webhook-added': 'The webhook is added.',
  'webhook-removed': 'The webhook is removed.',
};

const asFormError = (err: unknown) => asFormErrorOf(err, shownOnForm);

/** Pages with signed links must not be cached nor leak their URL to other sites. */
function privatePage(c: Context): void {
  c.header('cache-control', 'no-store');
  c.header('referrer-policy', 'no-referrer');
}

function envTtl(): number {
  const n = Number(process.env.CONFIRM_TTL_HOURS);
  return Number.isFinite(n) && n >= 1 ? n : DEFAULT_CONFIRM_TTL_HOURS;
}

export function mailRoutes(deps: AppDeps, opts: { confirmTtlHours?: number } = {}): Hono {
  const { db, config } = deps;
  const ttl = opts.confirmTtlHours ?? envTtl();
  const app = new Hono();
  app.route('/', feedRoutes(deps));
  app.route('/', subscriptionApi(deps, { confirmTtlHours: ttl }));

  const manageHref = (sub: Subscriber) => `/subscription?token=${signToken(config.secret, 'manage', sub.id, sub.email, null)}`;

  app.get('/subscribe', (c) => {
    c.header('cache-control', 'no-store');
    return c.html(<SubscribePage config={config} csrf={csrfToken(c, deps)} values={{ email: currentUser(c)?.email ?? '' }} />);
  });

  app.post('/subscribe', async (c) => {
    const f = await formFields(c);
    c.header('cache-control', 'no-store');
    try {
      const input = { email: parseEmail(f.email ?? ''), frequency: parseFrequency(f.frequency), topics: parseTopics(topicsFromLines(f.topics ?? '')) };
      await hitRateLimit(db, 'subscribe', clientIp(c, deps), deps.now());
      await requestSubscription(db, config, input, deps.now(), ttl);
      return c.html(<CheckInboxPage config={config} ttlHours={ttl} />, 202);
    } catch (err) {
      const { error, status } = asFormError(err);
      if (err instanceof AppError && err.details.retryAfter) c.header('retry-after', String(err.details.retryAfter));
      const values = { email: (f.email ?? '').replace(/[\r\n]/g, ''), frequency: f.frequency, topics: f.topics };
      return c.html(<SubscribePage config={config} csrf={csrfToken(c, deps)} values={values} error={error} />, status);
    }
  });

  app.get('/subscribe/confirm', async (c) => {
    privatePage(c);
    try {
      const sub = await confirmSubscription(db, config, c.req.query('token'), deps.now(), currentUser(c));
      return c.html(<ConfirmedPage config={config} sub={sub} manageHref={manageHref(sub)} />);
    } catch (err) {
      const { error, status } = asFormError(err);
      return c.html(<LinkErrorPage config={config} message={error.message} />, status);
    }
  });

  /** The subscription a request may manage: by signed token, else the signed-in account's. */
  async function managed(c: Context, token: string | undefined): Promise<Subscriber | null> {
    const user = currentUser(c);
    if (token) {
      const sub = await subscriberForToken(db, config, 'manage', token, deps.now());
      await linkToUser(db, sub, user);
      return sub;
    }
    return user ? findSubscriberByUser(db, user.id) : null;
  }

  async function renderManage(c: Context, sub: Subscriber, token: string | null, extra: { notice?: string; error?: FormError } = {}, status: ContentfulStatusCode = 200) {
    privatePage(c);
    const webhooks = await listWebhooks(db, { subscriberId: sub.id });
    return c.html(<ManagePage config={config} csrf={csrfToken(c, deps)} sub={sub} token={token} webhooks={webhooks} {...extra} />, status);
  }

  app.get('/subscription', async (c) => {
    const token = c.req.query('token');
    let sub: Subscriber | null;
    try {
      sub = await managed(c, token);
    } catch (err) {
      privatePage(c);
      const { error, status } = asFormError(err);
      return c.html(<LinkErrorPage config={config} message={error.message} />, status);
    }
    if (sub) return renderManage(c, sub, token ?? null, { notice: DONE[c.req.query('done') ?? ''] });
    privatePage(c);
    const user = currentUser(c);
    // The same page whether or not the account's address has a subscription: nothing is revealed.
    return c.html(
      <Layout config={config} meta={{ title: 'Your email subscription', noindex: true }}>
        <Notice title="Your email subscription">
          {user ? (
            <>
              <p>No digest subscription is linked to your account yet. Subscribe with your account's address (if it is already subscribed, we email you a link to manage it):</p>
              <SubscribeForm csrf={csrfToken(c, deps)} values={{ email: user.email }} />
            </>
          ) : (
            <p>
              Open the “Change frequency or topics” link at the bottom of any digest email, or <a href="/login?next=/subscription">log in</a>. Not
              subscribed yet? <a href="/subscribe">Subscribe</a>.
            </p>
          )}
        </Notice>
      </Layout>,
    );
  });

  app.post('/subscription', async (c) => {
    const f = await formFields(c);
    const token = f.token || undefined;
    let sub: Subscriber | null;
    try {
      sub = await managed(c, token);
    } catch (err) {
      privatePage(c);
      const { error, status } = asFormError(err);
      return c.html(<LinkErrorPage config={config} message={error.message} />, status);
    }
    if (!sub) throw new AppError('unauthorized', 'Open the manage link from a digest email, or log in');
    const now = deps.now();
    const back = (done: string) => c.redirect(`/subscription?${token ? `token=${encodeURIComponent(token)}&` : ''}done=${done}`, 303);
    try {
      switch (f.action) {
        case 'save':
          await updateSubscription(db, sub, { frequency: parseFrequency(f.frequency), topics: parseTopics(topicsFromLines(f.topics ?? '')) }, now);
          return back('saved');
        case 'unsubscribe':
          await unsubscribe(db, sub, now);
          return back('unsubscribed');
        case 'resubscribe':
          await resubscribe(db, sub, now, parseFrequency(f.frequency));
          return back('resubscribed');
        case 'add-webhook':
          await addWebhook(db, sub, { topic: f.topic ?? '', url: f.url ?? '', kind: f.kind }, now);
          return back('webhook-added');
        case 'remove-webhook':
          await removeWebhook(db, sub, Number(f.webhook));
          return back('webhook-removed');
        default:
          throw AppError.badRequest('Unknown action', 'action');
      }
    } catch (err) {
      const { error, status } = asFormError(err);
      return renderManage(c, sub, token ?? null, { error }, status);
    }
  });

  app.get('/unsubscribe', async (c) => {
    privatePage(c);
    const token = c.req.query('token') ?? '';
    try {
      const sub = await subscriberForToken(db, config, 'unsubscribe', token, deps.now());
      return c.html(<UnsubscribePage config={config} sub={sub} token={token} state="ask" manageHref={manageHref(sub)} />);
    } catch (err) {
      const { error, status } = asFormError(err);
      return c.html(<LinkErrorPage config={config} message={error.message} />, status);
    }
  });

  app.post('/unsubscribe', async (c) => {
    const token = c.req.query('token') ?? '';
    const f = await formFields(c);
    const oneClick = f['List-Unsubscribe'] === 'One-Click' || !f.action;
    let sub: Subscriber;
    try {
      sub = await subscriberForToken(db, config, 'unsubscribe', token, deps.now());
    } catch (err) {
      if (oneClick) throw err;
      privatePage(c);
      const { error, status } = asFormError(err);
      return c.html(<LinkErrorPage config={config} message={error.message} />, status);
    }
    const now = deps.now();
    if (oneClick) {
      // RFC 8058: the mail client wants a status, not a page.
      await unsubscribe(db, sub, now);
      c.header('cache-control', 'no-store');
      return c.text('Unsubscribed.\n', 200);
    }
    let state: UnsubscribeState;
    if (f.action === 'resubscribe') {
      sub = await resubscribe(db, sub, now, parseFrequency(f.frequency));
      state = 'resubscribed';
    } else if (f.action === 'frequency') {
      sub = await updateSubscription(db, sub, { frequency: parseFrequency(f.frequency), topics: sub.topics }, now);
      state = 'frequency';
    } else {
      await unsubscribe(db, sub, now);
      sub = { ...sub, status: 'unsubscribed' };
      state = 'unsubscribed';
    }
    privatePage(c);
    return c.html(<UnsubscribePage config={config} sub={sub} token={token} state={state} manageHref={manageHref(sub)} />);
  });

  return app;
}
