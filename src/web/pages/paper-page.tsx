/** One paper: `/papers/<id>` (HTML) and `/papers/<id>.md` (Markdown). */
import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { AppDeps } from '../deps.ts';
import type { Config } from '../../config.ts';
import { AppError } from '../../services/errors.ts';
import { getPaper } from '../../storage/papers-repo.ts';
import { arxivAbsUrl, arxivPdfUrl, parseArxivRef } from '../../domain/arxiv-id.ts';
import { formatDay, isValidDay } from '../../domain/dates.ts';
import type { DailyEntry, Paper } from '../../domain/paper.ts';
import { Layout } from './layout.tsx';
import { ErrorPage } from './error-page.tsx';
import { AuthorList, CategoryChips, PaperLinks, SubmittedBy } from './paper-card.tsx';
import { UpvoteButton, UpvoteScript } from './upvote-button.tsx';
import { loadPaperCommunity, WhyTrending, type PaperCommunity } from './why-trending.tsx';
import { EditorTools } from './submit-editor.tsx';
import { paperMarkdown } from './markdown.ts';
import { dayPath, paperPath, safeHttpUrl, truncate } from './urls.ts';
import { FEED_CACHE_CONTROL } from './feed-page.tsx';
import { renderCommentsSection } from './comment-routes.tsx';
import { loadSimilar, SimilarPapers } from './similar-papers.tsx';
import { VoteSparkline } from './chart-views.tsx';

const DESCRIPTION_LENGTH = 160;

/**
 * `rawId` is everything after `/papers/`: `2503.11677`, `math/9310227`, optionally with `.md`.
 * Versioned or prefixed ids redirect (301) to the canonical URL; what is not an arXiv id is a 404.
 */
export async function renderPaper(c: Context, deps: AppDeps, rawId: string): Promise<Response> {
  const markdown = rawId.endsWith('.md');
  const raw = markdown ? rawId.slice(0, -3) : rawId;
  const parsed = parseArxivRef(raw);
  if (!parsed) throw AppError.notFound(`"${raw}" is not an arXiv id.`);
  if (parsed.id !== raw) return c.redirect(`${paperPath(parsed.id)}${markdown ? '.md' : ''}`, 301);

  const found = await getPaper(deps.db, parsed.id);
  if (!found) {
    if (markdown) throw AppError.notFound(`Paper ${parsed.id} is not on this hub.`);
    return c.html(
      <ErrorPage config={deps.config} status={404} title="Not Found" detail={`Paper ${parsed.id} is not on this hub (yet).`}>
        <p>
          <a href={arxivAbsUrl(parsed.id)}>Look for arXiv:{parsed.id} on arXiv</a>
        </p>
      </ErrorPage>,
      404,
    );
  }
  c.header('cache-control', FEED_CACHE_CONTROL);
  if (markdown) {
    c.header('x-content-type-options', 'nosniff');
    return c.body(paperMarkdown(found.paper, found.entry, deps.config.baseUrl), 200, { 'content-type': 'text/markdown; charset=utf-8' });
  }
  const community = await loadPaperCommunity(c, deps, found.paper.id);
  const comments = await renderCommentsSection(c, deps, found.paper.id);
  const similar = <SimilarPapers papers={await loadSimilar(deps.db, found.paper.id)} />;
  return c.html(<PaperPage config={deps.config} paper={found.paper} entry={found.entry} community={community} comments={comments} similar={similar} />);
}

/** `<time>` for an ISO date or date-time; text shows the day. */
function DateText({ iso }: { iso: string }) {
  const day = iso.slice(0, 10);
  return <time datetime={iso}>{isValidDay(day) ? formatDay(day) : iso}</time>;
}

function PaperPage({ config, paper, entry, community, comments, similar }: { config: Config; paper: Paper; entry: DailyEntry | null; community: PaperCommunity; comments: Child; similar: Child }) {
  const path = paperPath(paper.id);
  const description = paper.abstract ? truncate(paper.abstract, DESCRIPTION_LENGTH) : `${paper.title} (arXiv:${paper.id})`;
  const doiUrl = paper.doi ? safeHttpUrl(`https://doi.org/${paper.doi.trim()}`) : null;
  const updated = paper.updatedAt && paper.updatedAt.slice(0, 10) !== paper.publishedAt?.slice(0, 10) ? paper.updatedAt : null;
  return (
    <Layout
      config={config}
      meta={{
        title: paper.title,
        description,
        canonicalPath: path,
        ogType: 'article',
        alternates: [{ type: 'text/markdown', href: `${path}.md`, title: 'This paper as Markdown' }],
        extraHead: (
          <>
            {paper.publishedAt ? <meta property="article:published_time" content={paper.publishedAt} /> : null}
            {paper.categories.map((cat) => (
              <meta property="article:tag" content={cat} />
            ))}
            <meta name="citation_title" content={paper.title} />
            {paper.authors.map((a) => (
              <meta name="citation_author" content={a} />
            ))}
            {paper.publishedAt ? <meta name="citation_date" content={paper.publishedAt.slice(0, 10).replace(/-/g, '/')} /> : null}
            <meta name="citation_arxiv_id" content={paper.id} />
            <meta name="citation_pdf_url" content={arxivPdfUrl(paper.id)} />
          </>
        ),
      }}
    >
      <article class="paper" aria-labelledby="paper-title">
        <div class="paper-top">
          <UpvoteButton paper={paper} ctx={community.ctx} />
          <div class="card-body">
            <p class="meta">
              arXiv:{paper.id}
              {paper.latestVersion ? ` (v${paper.latestVersion})` : ''}
              {entry ? (
                <>
                  {' · Featured on '}
                  <a href={dayPath(entry.day)}>{formatDay(entry.day)}</a>
                  {' · '}
                  <SubmittedBy entry={entry} editorName={config.editorName} />
                </>
              ) : null}
            </p>
            <h1 id="paper-title">{paper.title}</h1>
            <AuthorList authors={paper.authors} />
          </div>
        </div>
        <CategoryChips categories={paper.categories} />
        <PaperLinks paper={paper} />

        <h2>Abstract</h2>
        {paper.abstract ? <p class="abstract-full">{paper.abstract}</p> : <p class="page-sub">No abstract available.</p>}

        <h2>Details</h2>
        <dl class="facts">
          <dt>arXiv id</dt>
          <dd>
            <a href={arxivAbsUrl(paper.id)}>{paper.id}</a> · <a href={arxivPdfUrl(paper.id)}>PDF</a>
          </dd>
          {paper.publishedAt ? (
            <>
              <dt>Published</dt>
              <dd>
                <DateText iso={paper.publishedAt} />
              </dd>
            </>
          ) : null}
          {updated ? (
            <>
              <dt>Updated</dt>
              <dd>
                <DateText iso={updated} />
              </dd>
            </>
          ) : null}
          {entry ? (
            <>
              <dt>Featured</dt>
              <dd>
                Featured on <a href={dayPath(entry.day)}>{formatDay(entry.day)}</a>
              </dd>
            </>
          ) : null}
          <dt>Upvotes</dt>
          <dd class="upvote-history">
            {paper.upvotes} <VoteSparkline series={community.history} />
          </dd>
          {paper.categories.length > 0 ? (
            <>
              <dt>Categories</dt>
              <dd>{paper.categories.join(', ')}</dd>
            </>
          ) : null}
          {paper.comment ? (
            <>
              <dt>Comment</dt>
              <dd>{paper.comment}</dd>
            </>
          ) : null}
          {paper.journalRef ? (
            <>
              <dt>Journal ref</dt>
              <dd>{paper.journalRef}</dd>
            </>
          ) : null}
          {paper.doi ? (
            <>
              <dt>DOI</dt>
              <dd>{doiUrl ? <a href={doiUrl}>{paper.doi}</a> : paper.doi}</dd>
            </>
          ) : null}
          <dt>Markdown</dt>
          <dd>
            <a href={`${path}.md`}>{`${path}.md`}</a>
          </dd>
        </dl>
        <WhyTrending why={community.why} featured={!!entry} />
        <EditorTools paper={paper} entry={entry} ctx={community.ctx} today={community.today} />
        <UpvoteScript ctx={community.ctx} />
      </article>

      {similar}
      {comments}
    </Layout>
  );
}
