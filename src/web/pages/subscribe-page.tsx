/** `/subscribe`: the email digest form, and what it answers (the same whatever the address's state). */
import type { Context } from 'hono';
import type { AppDeps } from '../deps.ts';
import type { Config } from '../../config.ts';
import { CSRF_FIELD, csrfToken, currentUser } from '../middleware/auth.ts';
import { MAX_TOPICS, MAX_TOPIC_LENGTH } from '../../mail/topics.ts';
import { Layout, Notice } from './layout.tsx';
import { feedAlternates, feedPath } from './feeds.tsx';

export interface FormError {
  message: string;
  field?: string;
}

export interface SubscribeFormValues {
  email?: string;
  frequency?: string;
  topics?: string;
}

function invalid(error: FormError | undefined, field: string) {
  return error?.field === field ? { 'aria-invalid': 'true', 'aria-describedby': 'form-error' } : {};
}

/** The form itself; also embedded on the manage page for signed-in users without a subscription. */
export function SubscribeForm({ csrf, values = {}, error }: { csrf: string; values?: SubscribeFormValues; error?: FormError }) {
  const frequency = values.frequency === 'weekly' ? 'weekly' : 'daily';
  return (
    <form class="stack-form subscribe-form" method="post" action="/subscribe">
      <input type="hidden" name={CSRF_FIELD} value={csrf} />
      {error ? (
        <p class="form-error" role="alert" id="form-error">
          {error.message}
        </p>
      ) : null}
      <label for="sub-email">Email address</label>
      <input id="sub-email" type="email" name="email" value={values.email ?? ''} required maxlength={254} autocomplete="email" {...invalid(error, 'email')} />
      <fieldset class="choice" {...invalid(error, 'frequency')}>
        <legend>How often</legend>
        <label>
          <input type="radio" name="frequency" value="daily" checked={frequency === 'daily'} /> Daily: the day's trending papers
        </label>
        <label>
          <input type="radio" name="frequency" value="weekly" checked={frequency === 'weekly'} /> Weekly: the week's best, once a week
        </label>
      </fieldset>
      <label for="sub-topics">Topics (optional, one per line)</label>
      <textarea id="sub-topics" name="topics" rows={4} maxlength={MAX_TOPICS * (MAX_TOPIC_LENGTH + 2)} placeholder={'"KV cache" compression\ncat:cs.CL retrieval'} {...invalid(error, 'topics')}>
        {values.topics ?? ''}
      </textarea>
      <p class="hint">
        Saved searches: words, "quoted phrases" and <code>cat:</code> filters. Each digest ends with what is new in them. Up to {MAX_TOPICS} topics of{' '}
        {MAX_TOPIC_LENGTH} characters.
      </p>
      <button type="submit">Subscribe</button>
    </form>
  );
}

export function SubscribePage({ config, csrf, values, error }: { config: Config; csrf: string; values?: SubscribeFormValues; error?: FormError }) {
  return (
    <Layout
      config={config}
      meta={{
        title: 'Subscribe',
        description: `Get the trending papers of ${config.siteName} in your email inbox, daily or weekly.`,
        canonicalPath: '/subscribe',
        alternates: feedAlternates('daily', config.siteName),
      }}
    >
      <section class="auth-card subscribe-card" aria-labelledby="subscribe-title">
        <h1 id="subscribe-title">Get trending papers in your email inbox</h1>
        <p>
          The papers featured by {config.editorName} and the research community, ranked by what people upvote and discuss, plus what is new in your
          topics. We send a confirmation link first; nothing else is sent until you click it. Every email has a one-click unsubscribe link.
        </p>
        <SubscribeForm csrf={csrf} values={values} error={error} />
        <p class="hint">
          Prefer a feed reader? <a href={feedPath('daily', 'atom')}>Atom</a> · <a href={feedPath('daily', 'rss')}>RSS</a> ·{' '}
          <a href={feedPath('daily', 'json')}>JSON Feed</a> of the daily papers; every search has one too.
        </p>
      </section>
    </Layout>
  );
}

/** The answer to every valid request: it must not tell whether the address was already subscribed. */
export function CheckInboxPage({ config, ttlHours }: { config: Config; ttlHours: number }) {
  return (
    <Layout config={config} meta={{ title: 'Check your inbox', noindex: true }}>
      <Notice title="Check your inbox">
        <p>
          If this address can receive our email, a message is on its way to it. To start (or change) a subscription, open the link in that message. The
          confirmation link expires in {ttlHours} hours.
        </p>
        <p>
          Nothing arrived after a few minutes? Look in your spam folder, or <a href="/subscribe">try again</a> in an hour.
        </p>
      </Notice>
    </Layout>
  );
}

export function renderSubscribe(c: Context, deps: AppDeps): Response | Promise<Response> {
  c.header('cache-control', 'no-store');
  const user = currentUser(c);
  return c.html(<SubscribePage config={deps.config} csrf={csrfToken(c, deps)} values={{ email: user?.email ?? '' }} />);
}
