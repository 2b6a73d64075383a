/** Friendly error pages in the site layout; errors.ts decides the status, this decides the words. */
import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Config } from '../../config.ts';
import type { HtmlErrorRenderer } from '../errors.ts';
import { Layout } from './layout.tsx';

const HEADINGS: Record<number, { heading: string; hint: string }> = {
  400: { heading: 'That request did not look right', hint: 'Check the address and try again. Days look like 2025-03-12, weeks like 2025-W11 and months like 2025-03.' },
  401: { heading: 'Please sign in', hint: 'This page needs an account.' },
  403: { heading: 'Not allowed', hint: 'Your account may not do that.' },
  404: { heading: 'Page not found', hint: 'The page may have moved, or the paper is not on this hub yet.' },
  405: { heading: 'Method not allowed', hint: 'This address does not accept that kind of request.' },
  429: { heading: 'Too many requests', hint: 'Please wait a moment and try again.' },
  500: { heading: 'Something went wrong', hint: 'The error was logged. Please try again in a moment.' },
  503: { heading: 'Temporarily unavailable', hint: 'The service is busy or under maintenance. Please try again shortly.' },
};

export function ErrorPage({ config, status, title, detail, children }: { config: Config; status: number; title: string; detail: string; children?: Child }) {
  const words = HEADINGS[status] ?? { heading: title, hint: '' };
  return (
    <Layout config={config} meta={{ title: words.heading, noindex: true }}>
      <section class="notice" aria-labelledby="error-title">
        <p class="error-code">
          Error {status} · {title}
        </p>
        <h1 id="error-title">{words.heading}</h1>
        {detail ? <p>{detail}</p> : null}
        {words.hint ? <p class="page-sub">{words.hint}</p> : null}
        {children}
        <p>
          <a href="/">← Back to the latest papers</a>
        </p>
      </section>
    </Layout>
  );
}

/** The renderer errors.ts calls for HTML clients. It never touches the database. */
export function errorRenderer(config: Config): HtmlErrorRenderer {
  return (c: Context, status: number, title: string, detail: string) => {
    // Errors are not cached like the feed pages whose handlers may already have set a header.
    c.header('cache-control', 'no-store');
    return c.html(<ErrorPage config={config} status={status} title={title} detail={detail} />, status as ContentfulStatusCode);
  };
}
