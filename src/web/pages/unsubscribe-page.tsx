/**
 * `/unsubscribe?token=`: the page behind every email's footer link. Opening it changes nothing
 * (link scanners and prefetchers open links too); it asks, and offers the gentler options: weekly
 * instead of daily, or the manage page. Its forms POST to the same URL, which is also the RFC 8058
 * one-click endpoint, so the signed token is their proof (the route is exempt from CSRF).
 */
import type { Config } from '../../config.ts';
import type { Subscriber } from '../../storage/subscriptions-repo.ts';
import { Layout, Notice } from './layout.tsx';

export type UnsubscribeState = 'ask' | 'unsubscribed' | 'resubscribed' | 'frequency';

function FrequencyButtons({ action, token, label }: { action: string; token: string; label: (f: string) => string }) {
  return (
    <div class="button-row">
      {(['daily', 'weekly'] as const).map((f) => (
        <form class="inline-form" method="post" action={`/unsubscribe?token=${encodeURIComponent(token)}`}>
          <input type="hidden" name="action" value={action} />
          <input type="hidden" name="frequency" value={f} />
          <button type="submit">{label(f)}</button>
        </form>
      ))}
    </div>
  );
}

export function UnsubscribePage({ config, sub, token, state, manageHref }: { config: Config; sub: Subscriber; token: string; state: UnsubscribeState; manageHref: string }) {
  const gone = sub.status === 'unsubscribed' || sub.status === 'bounced';
  const title = state === 'ask' && !gone ? 'Unsubscribe?' : state === 'resubscribed' ? 'Welcome back' : state === 'frequency' ? 'Frequency changed' : 'You are unsubscribed';
  return (
    <Layout config={config} meta={{ title, noindex: true }}>
      <Notice title={title}>
        {state === 'ask' && !gone ? (
          <>
            <p>
              Stop sending the {sub.frequency} digest to <strong>{sub.email}</strong>?
            </p>
            <form class="inline-form" method="post" action={`/unsubscribe?token=${encodeURIComponent(token)}`}>
              <input type="hidden" name="action" value="unsubscribe" />
              <button type="submit" class="danger-button">
                Unsubscribe
              </button>
            </form>
            {sub.frequency === 'daily' ? (
              <>
                <p>Too much mail? Get one digest a week instead:</p>
                <form class="inline-form" method="post" action={`/unsubscribe?token=${encodeURIComponent(token)}`}>
                  <input type="hidden" name="action" value="frequency" />
                  <input type="hidden" name="frequency" value="weekly" />
                  <button type="submit">Switch to weekly</button>
                </form>
              </>
            ) : null}
          </>
        ) : state === 'resubscribed' || state === 'frequency' ? (
          <p>
            <strong>{sub.email}</strong> now gets the {sub.frequency} digest.
          </p>
        ) : (
          <>
            <p>
              <strong>{sub.email}</strong> will get no more digests. Changed your mind?
            </p>
            <FrequencyButtons action="resubscribe" token={token} label={(f) => `Resubscribe ${f}`} />
          </>
        )}
        <p>
          <a href={manageHref}>Manage your subscription</a>: frequency, topics and webhooks.
        </p>
      </Notice>
    </Layout>
  );
}

export function ConfirmedPage({ config, sub, manageHref }: { config: Config; sub: Subscriber; manageHref: string }) {
  return (
    <Layout config={config} meta={{ title: 'Subscription confirmed', noindex: true }}>
      <Notice title="You are subscribed">
        <p>
          <strong>{sub.email}</strong> will get the {sub.frequency} digest of {config.siteName}
          {sub.topics.length ? `, with what is new in ${sub.topics.length === 1 ? 'your topic' : `your ${sub.topics.length} topics`}` : ''}. Days
          with nothing new send nothing.
        </p>
        <p>
          <a href={manageHref}>Manage your subscription</a> · <a href="/">Today's papers</a>
        </p>
      </Notice>
    </Layout>
  );
}

export function LinkErrorPage({ config, message }: { config: Config; message: string }) {
  return (
    <Layout config={config} meta={{ title: 'Link not valid', noindex: true }}>
      <Notice title="This link does not work">
        <p>{message}</p>
        <p>
          <a href="/subscribe">Subscribe again</a> to get a fresh link.
        </p>
      </Notice>
    </Layout>
  );
}
