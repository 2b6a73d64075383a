/** `/subscribe`: a placeholder until email digests land. */
import type { Context } from 'hono';
import type { AppDeps } from '../deps.ts';
import { Layout, Notice } from './layout.tsx';

export function renderSubscribe(c: Context, deps: AppDeps): Response | Promise<Response> {
  const { siteName, editorName } = deps.config;
  return c.html(
    <Layout config={deps.config} meta={{ title: 'Subscribe', description: `Get the trending papers of ${siteName} in your email inbox.`, canonicalPath: '/subscribe' }}>
      <div class="page-head">
        <h1>Get trending papers in your email inbox</h1>
      </div>
      <Notice title="Email digests are coming">
        <p>
          Soon you will be able to subscribe here with just your email address and receive the papers featured by {editorName} and the research
          community as a daily or weekly digest. No account, no feed reader and no RSS needed: the digest comes to your inbox, and every email has
          a one-click unsubscribe link.
        </p>
        <p>
          Until then, the <a href="/">daily feed</a> is updated every day, and scripts can read the same papers from the JSON API at{' '}
          <a href="/api/daily_papers">
            <code>/api/daily_papers</code>
          </a>
          .
        </p>
      </Notice>
    </Layout>,
  );
}
