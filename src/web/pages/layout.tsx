/** The site shell: document head (meta, OpenGraph, inline CSS), header, main landmark, footer. */
import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import type { Config } from '../../config.ts';
import { CSS } from './styles.ts';
import { CSRF_FIELD } from '../middleware/auth.ts';
import { currentViewer, type Viewer } from './account-context.ts';

export interface PageMeta {
  /** Page-specific part of `<title>`; the site name is appended. Omit for the site name alone. */
  title?: string;
  description?: string;
  /** Path (from the site root) of the canonical URL, e.g. `/papers/2503.11677`. */
  canonicalPath?: string;
  /** OpenGraph type: `website` for listings, `article` for a paper. */
  ogType?: 'website' | 'article';
  /** Extra `<link rel="alternate">` entries, e.g. the Markdown variant of a paper. */
  alternates?: { type: string; href: string; title: string }[];
  /** Tells crawlers to skip error pages and placeholders. */
  noindex?: boolean;
  /** Further `<meta>` elements (e.g. citation tags on a paper page). */
  extraHead?: Child;
}

export interface LayoutProps {
  config: Config;
  meta: PageMeta;
  /** Pre-fills the search box. */
  query?: string;
  /** Who is signed in, for the header; omitted, it is read from the request being rendered. */
  viewer?: Viewer;
  children?: Child;
}

// A tiny inline SVG favicon (a constant, not data) so that browsers do not request /favicon.ico.
const FAVICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='7' fill='%23f59e0b'/%3E%3Cpath d='M9 8h9a6 6 0 0 1 0 12h-5v5H9z' fill='%23fff'/%3E%3C/svg%3E";

export function Layout({ config, meta, query, viewer, children }: LayoutProps) {
  const fullTitle = meta.title ? `${meta.title} | ${config.siteName}` : config.siteName;
  const canonical = meta.canonicalPath !== undefined ? `${config.baseUrl}${meta.canonicalPath}` : null;
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="color-scheme" content="light dark" />
          <title>{fullTitle}</title>
          {meta.description ? <meta name="description" content={meta.description} /> : null}
          {meta.noindex ? <meta name="robots" content="noindex" /> : null}
          {canonical ? <link rel="canonical" href={canonical} /> : null}
          <meta property="og:site_name" content={config.siteName} />
          <meta property="og:title" content={meta.title ?? config.siteName} />
          {meta.description ? <meta property="og:description" content={meta.description} /> : null}
          {canonical ? <meta property="og:url" content={canonical} /> : null}
          <meta property="og:type" content={meta.ogType ?? 'website'} />
          <meta name="twitter:card" content="summary" />
          {(meta.alternates ?? []).map((a) => (
            <link rel="alternate" type={a.type} href={a.href} title={a.title} />
          ))}
          {meta.alternates?.some((a) => a.type === 'application/atom+xml') ? null : <link rel="alternate" type="application/atom+xml" href="/papers/feed.xml" title={`${config.siteName}: daily papers`} />}
          {meta.extraHead ?? null}
          <link rel="icon" href={FAVICON} />
          {/* The stylesheet is a constant of this module, never user data. */}
          <style>{raw(CSS)}</style>
        </head>
        <body>
          <a class="skip-link" href="#main">
            Skip to content
          </a>
          <SiteHeader config={config} query={query} viewer={viewer ?? currentViewer()} />
          <main id="main" tabindex={-1}>
            <div class="wrap">{children}</div>
          </main>
          <SiteFooter config={config} />
        </body>
      </html>
    </>
  );
}

function SiteHeader({ config, query, viewer }: { config: Config; query?: string; viewer: Viewer }) {
  return (
    <header class="site-header">
      <div class="wrap header-inner">
        <div class="brand">
          <p class="site-title">
            <a href="/" aria-label={`${config.siteName}: latest papers`}>
              {config.siteName}
            </a>
          </p>
          <p class="tagline">by {config.editorName} and the research community</p>
        </div>
        <div class="header-tools">
          <p class="cta">
            <span>Get trending papers in your email inbox!</span>
            <a href="/subscribe">Subscribe</a>
          </p>
          <form class="search" role="search" method="get" action="/search">
            <label class="visually-hidden" for="site-search">
              Search papers
            </label>
            <input id="site-search" type="search" name="q" value={query ?? ''} placeholder="Search papers or paste an arXiv id" autocomplete="off" />
            <button type="submit">Search</button>
          </form>
        </div>
        <SiteNav viewer={viewer} />
      </div>
    </header>
  );
}

/** Where "Log in" returns to: the current page, except the account forms themselves. */
function loginHref(path: string): string {
  if (path === '/' || /^\/(login|signup|logout)\b/.test(path)) return '/login';
  return `/login?next=${encodeURIComponent(path)}`;
}

function SiteNav({ viewer }: { viewer: Viewer }) {
  const { user, csrf } = viewer;
  return (
    <nav class="site-nav" aria-label="Site">
      <ul>
        <li>
          <a href="/papers/trending">Trending</a>
        </li>
        {user ? (
          <>
            <li>
              <a href="/papers/submit">Submit</a>
            </li>
            <li class="push">
              <a href={`/u/${encodeURIComponent(user.username)}`} aria-label={`Your profile: ${user.username}`}>
                {user.username}
              </a>
            </li>
            <li>
              <a href="/settings">Settings</a>
            </li>
            {csrf ? (
              <li>
                <form class="inline-form" method="post" action="/logout">
                  <input type="hidden" name={CSRF_FIELD} value={csrf} />
                  <button type="submit" class="link-button">
                    Log out
                  </button>
                </form>
              </li>
            ) : null}
          </>
        ) : (
          <>
            <li class="push">
              <a href={loginHref(viewer.path)}>Log in</a>
            </li>
            <li>
              <a href="/signup">Sign up</a>
            </li>
          </>
        )}
      </ul>
    </nav>
  );
}

function SiteFooter({ config }: { config: Config }) {
  return (
    <footer class="site-footer">
      <div class="wrap">
        <p>
          {config.siteName} · a self-hosted daily papers hub · paper data from <a href="https://arxiv.org/">arXiv</a>
        </p>
        <nav aria-label="Developer links">
          <ul>
            <li>
              <a href="/api/daily_papers" aria-label="JSON API: daily papers">
                API
              </a>
            </li>
            <li>
              <a href="/openapi.json" aria-label="OpenAPI description of the API">
                OpenAPI
              </a>
            </li>
          </ul>
        </nav>
      </div>
    </footer>
  );
}

/** A centred notice box: empty states and placeholders. */
export function Notice({ title, children }: { title: string; children?: Child }) {
  return (
    <section class="notice" aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}
