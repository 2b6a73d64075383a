/**
 * `/subscription`: manage a digest subscription: frequency, topics, topic webhooks, unsubscribe.
 * Reached through the signed link in every email (`?token=`), or signed in, for the account whose
 * address confirmed it. Every form carries the token (when there is one) and the CSRF field.
 */
import type { Config } from '../../config.ts';
import type { Subscriber, Webhook } from '../../storage/subscriptions-repo.ts';
import { CSRF_FIELD } from '../middleware/auth.ts';
import { MAX_TOPICS, MAX_TOPIC_LENGTH } from '../../mail/topics.ts';
import { Layout } from './layout.tsx';
import { feedPath } from './feeds.tsx';
import type { FormError } from './subscribe-page.tsx';

export interface ManageProps {
  config: Config;
  csrf: string;
  sub: Subscriber;
  token: string | null;
  webhooks: Webhook[];
  notice?: string;
  error?: FormError;
}

const STATUS_TEXT: Record<Subscriber['status'], string> = {
  pending: 'waiting for you to confirm (open the link in the confirmation email)',
  confirmed: 'subscribed',
  unsubscribed: 'unsubscribed',
  bounced: 'paused: mail to this address bounced',
};

function Hidden({ csrf, token, action }: { csrf: string; token: string | null; action: string }) {
  return (
    <>
      <input type="hidden" name={CSRF_FIELD} value={csrf} />
      {token ? <input type="hidden" name="token" value={token} /> : null}
      <input type="hidden" name="action" value={action} />
    </>
  );
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export function ManagePage({ config, csrf, sub, token, webhooks, notice, error }: ManageProps) {
  const active = sub.status === 'confirmed' || sub.status === 'pending';
  return (
    <Layout config={config} meta={{ title: 'Your email subscription', noindex: true }}>
      <section class="auth-card manage-card" aria-labelledby="manage-title">
        <h1 id="manage-title">Your email subscription</h1>
        <p>
          <strong>{sub.email}</strong>: {sub.status === 'confirmed' ? `${sub.frequency} digest` : STATUS_TEXT[sub.status]}.
        </p>
        {notice ? (
          <p class="form-ok" role="status">
            {notice}
          </p>
        ) : null}
        {error ? (
          <p class="form-error" role="alert" id="form-error">
            {error.message}
          </p>
        ) : null}

        {active ? (
          <form class="stack-form" method="post" action="/subscription">
            <Hidden csrf={csrf} token={token} action="save" />
            <fieldset class="choice">
              <legend>How often</legend>
              <label>
                <input type="radio" name="frequency" value="daily" checked={sub.frequency === 'daily'} /> Daily
              </label>
              <label>
                <input type="radio" name="frequency" value="weekly" checked={sub.frequency === 'weekly'} /> Weekly
              </label>
            </fieldset>
            <label for="manage-topics">Topics (one per line)</label>
            <textarea id="manage-topics" name="topics" rows={5} maxlength={MAX_TOPICS * (MAX_TOPIC_LENGTH + 2)} {...(error?.field === 'topics' ? { 'aria-invalid': 'true' } : {})}>
              {sub.topics.join('\n')}
            </textarea>
            <p class="hint">Words, "quoted phrases" and cat: filters, e.g. cat:cs.CL retrieval. Up to {MAX_TOPICS}.</p>
            <button type="submit">Save</button>
          </form>
        ) : (
          <form class="stack-form" method="post" action="/subscription">
            <Hidden csrf={csrf} token={token} action="resubscribe" />
            <fieldset class="choice">
              <legend>Resubscribe</legend>
              <label>
                <input type="radio" name="frequency" value="daily" checked={sub.frequency === 'daily'} /> Daily
              </label>
              <label>
                <input type="radio" name="frequency" value="weekly" checked={sub.frequency === 'weekly'} /> Weekly
              </label>
            </fieldset>
            <button type="submit">Resubscribe</button>
          </form>
        )}

        {sub.topics.length ? (
          <section aria-labelledby="topic-feeds-title">
            <h2 id="topic-feeds-title">Your topics as feeds</h2>
            <ul class="topic-feeds">
              {sub.topics.map((t) => (
                <li>
                  {t}: <a href={feedPath('search', 'atom', t)}>Atom</a> · <a href={feedPath('search', 'rss', t)}>RSS</a> ·{' '}
                  <a href={feedPath('search', 'json', t)}>JSON</a>
                </li>
              ))}
            </ul>
          </section>
        ) : null}

        <section aria-labelledby="webhooks-title">
          <h2 id="webhooks-title">Topic webhooks</h2>
          <p class="hint">Each daily run POSTs a topic's new papers to a Slack or Discord webhook, or as generic JSON to any HTTPS endpoint.</p>
          {webhooks.length ? (
            <ul class="webhooks">
              {webhooks.map((w) => (
                <li>
                  <span>
                    {w.topic} → {w.kind} at {hostOf(w.url)}
                    {w.disabledAt ? ' (disabled after failures)' : ''}
                  </span>
                  <form class="inline-form" method="post" action="/subscription">
                    <Hidden csrf={csrf} token={token} action="remove-webhook" />
                    <input type="hidden" name="webhook" value={String(w.id)} />
                    <button type="submit" class="link-button">
                      Remove
                    </button>
                  </form>
                </li>
              ))}
            </ul>
          ) : null}
          <form class="stack-form" method="post" action="/subscription">
            <Hidden csrf={csrf} token={token} action="add-webhook" />
            <label for="hook-topic">Topic</label>
            <input id="hook-topic" name="topic" list="hook-topics" required maxlength={MAX_TOPIC_LENGTH} {...(error?.field === 'topics' ? { 'aria-invalid': 'true' } : {})} />
            <datalist id="hook-topics">
              {sub.topics.map((t) => (
                <option value={t} />
              ))}
            </datalist>
            <label for="hook-url">Webhook URL</label>
            <input id="hook-url" name="url" type="url" required maxlength={2000} placeholder="https://hooks.slack.com/services/…" {...(error?.field === 'url' ? { 'aria-invalid': 'true' } : {})} />
            <label for="hook-kind">Format</label>
            <select id="hook-kind" name="kind">
              <option value="auto">Detect from the URL</option>
              <option value="slack">Slack</option>
              <option value="discord">Discord</option>
              <option value="json">Generic JSON</option>
            </select>
            <button type="submit">Add webhook</button>
          </form>
        </section>

        {active ? (
          <form class="stack-form" method="post" action="/subscription">
            <Hidden csrf={csrf} token={token} action="unsubscribe" />
            <button type="submit" class="danger-button">
              Unsubscribe
            </button>
          </form>
        ) : null}
      </section>
    </Layout>
  );
}
