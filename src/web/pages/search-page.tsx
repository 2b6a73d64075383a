/**
 * `/search?q=`: a placeholder until the search engine lands (replace this one function to plug it in).
 * An arXiv id or URL already works: it goes straight to the paper's page.
 */
import type { Context } from 'hono';
import type { AppDeps } from '../deps.ts';
import { parseArxivRef } from '../../domain/arxiv-id.ts';
import { Layout, Notice } from './layout.tsx';
import { paperPath } from './urls.ts';

export async function renderSearch(c: Context, deps: AppDeps): Promise<Response> {
  const q = (c.req.query('q') ?? '').trim().slice(0, 500);
  const ref = q ? parseArxivRef(q) : null;
  if (ref) return c.redirect(paperPath(ref.id), 302);
  return c.html(
    <Layout config={deps.config} query={q} meta={{ title: q ? `Search: ${q}` : 'Search', noindex: true }}>
      <div class="page-head">
        <h1>Search</h1>
      </div>
      <Notice title="Search is coming">
        {q ? <p>You searched for “{q}”. Full-text search over titles, abstracts and authors is not available yet.</p> : <p>Full-text search over titles, abstracts and authors is not available yet.</p>}
        <p>
          Meanwhile, paste an arXiv id or link (such as <code>2503.11677</code> or <code>https://arxiv.org/abs/2503.11677</code>) into the search box to
          open that paper, or browse the <a href="/">latest papers</a>.
        </p>
      </Notice>
    </Layout>,
  );
}
