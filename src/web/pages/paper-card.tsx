/** A paper as a card on the feed, and the pieces the paper page shares with it. */
import type { Child } from 'hono/jsx';
import type { DailyEntry, FeedItem, Paper } from '../../domain/paper.ts';
import { arxivAbsUrl, arxivPdfUrl } from '../../domain/arxiv-id.ts';
import { formatDay } from '../../domain/dates.ts';
import { dayPath, paperPath, safeHttpUrl } from './urls.ts';
import { cardAnchor, ReorderButtons, UpvoteButton, type CardContext } from './upvote-button.tsx';

/** Authors shown before the rest fold behind "+N more". */
export const AUTHORS_SHOWN = 8;
/** Abstracts shorter than this are shown whole, without a disclosure. */
const SHORT_ABSTRACT = 240;

export function UpvoteCount({ n }: { n: number }) {
  return (
    <p class="vote" title={`${n} upvote${n === 1 ? '' : 's'}`}>
      <span aria-hidden="true">▲</span>
      <span class="n">{n}</span>
      <span class="visually-hidden"> upvote{n === 1 ? '' : 's'}</span>
    </p>
  );
}

export function AuthorList({ authors, limit }: { authors: string[]; limit?: number }) {
  if (authors.length === 0) return <div class="authors">Authors unknown</div>;
  // Fold only when it hides at least two names: "+1 more" saves nothing.
  const fold = limit !== undefined && authors.length > limit + 1;
  const shown = fold ? authors.slice(0, limit) : authors;
  const rest = fold ? authors.slice(limit) : [];
  // A <div>, not a <p>: <details> may not sit inside a paragraph.
  return (
    <div class="authors">
      <span class="visually-hidden">Authors: </span>
      {shown.join(', ')}
      {rest.length > 0 ? (
        <>
          {', '}
          <details class="more-authors">
            <summary>
              <span class="when-closed">+{rest.length} more</span>
              <span class="when-open">(fewer)</span>
            </summary>
            {' '}
            {rest.join(', ')}
          </details>
        </>
      ) : null}
    </div>
  );
}

export function CategoryChips({ categories }: { categories: string[] }) {
  if (categories.length === 0) return null;
  return (
    <ul class="chips" aria-label="Categories">
      {categories.map((cat, i) => (
        <li class={i === 0 ? 'chip primary' : 'chip'} title={i === 0 ? 'Primary category' : undefined}>
          {cat}
        </li>
      ))}
    </ul>
  );
}

/** arXiv, PDF, code, project page and comments links; `label` names the paper for screen readers. */
export function PaperLinks({ paper, withComments = true }: { paper: Paper; withComments?: boolean }) {
  const code = safeHttpUrl(paper.githubRepo);
  const project = safeHttpUrl(paper.projectPage);
  const t = paper.title;
  return (
    <ul class="links" aria-label="Links">
      <li>
        <a href={arxivAbsUrl(paper.id)} aria-label={`arXiv page: ${t}`}>
          arXiv
        </a>
      </li>
      <li>
        <a href={arxivPdfUrl(paper.id)} aria-label={`PDF: ${t}`}>
          PDF
        </a>
      </li>
      {code ? (
        <li>
          <a href={code} rel="nofollow noopener" aria-label={`Code: ${t}`}>
            Code
          </a>
        </li>
      ) : null}
      {project ? (
        <li>
          <a href={project} rel="nofollow noopener" aria-label={`Project page: ${t}`}>
            Project page
          </a>
        </li>
      ) : null}
      {withComments ? (
        <li>
          <a href={`${paperPath(paper.id)}#comments`} aria-label={`${paper.numComments} comment${paper.numComments === 1 ? '' : 's'}: ${t}`}>
            <span aria-hidden="true">💬 </span>
            {paper.numComments}
          </a>
        </li>
      ) : null}
    </ul>
  );
}

function Abstract({ text }: { text: string }) {
  if (!text) return null;
  if (text.length <= SHORT_ABSTRACT) return <p class="abstract-text">{text}</p>;
  // <details> expands without JavaScript; closed, the summary shows the first three lines.
  return (
    <details class="abstract">
      <summary>
        <span class="clamp">{text}</span>
        <span class="toggle" aria-hidden="true">
          <span class="when-closed">Show more</span>
          <span class="when-open">Show less</span>
        </span>
      </summary>
    </details>
  );
}

/**
 * Who put the paper on the feed: a user for submissions and editor features (linking to their
 * profile), the instance editor for imports. `editorName` null leaves imports unattributed.
 */
export function SubmittedBy({ entry, editorName, capital = false }: { entry: DailyEntry; editorName: string | null; capital?: boolean }) {
  if (entry.featuredBy !== null && entry.featuredByName) {
    return (
      <>
        {capital ? 'Submitted' : 'submitted'} by <a href={`/u/${encodeURIComponent(entry.featuredByName)}`}>{entry.featuredByName}</a>
      </>
    );
  }
  if (entry.featuredBy === null && editorName) return <>{capital ? 'Featured' : 'featured'} by {editorName}</>;
  return null;
}

/** `ctx` (the viewer's votes, CSRF token) makes the vote a button; without it the count is static. */
export function PaperCard({ item, showDay = false, ctx, badge }: { item: FeedItem; showDay?: boolean; ctx?: CardContext; badge?: Child }) {
  const { paper, entry } = item;
  const by = entry ? <SubmittedBy entry={entry} editorName={ctx?.editorName ?? null} capital={!showDay} /> : null;
  const showBy = !!entry && (entry.featuredByName || (entry.featuredBy === null && ctx));
  return (
    <li id={cardAnchor(paper.id)}>
      <article class="card">
        {ctx ? <UpvoteButton paper={paper} ctx={ctx} /> : <UpvoteCount n={paper.upvotes} />}
        <div class="card-body">
          {badge ?? null}
          <h2 class="card-title">
            <a href={paperPath(paper.id)}>{paper.title}</a>
          </h2>
          {(showDay && entry) || showBy ? (
            <p class="meta">
              {showDay && entry ? (
                <>
                  Featured on <a href={dayPath(entry.day)}>{formatDay(entry.day)}</a>
                  {showBy ? ' · ' : ''}
                </>
              ) : null}
              {showBy ? by : null}
            </p>
          ) : null}
          <AuthorList authors={paper.authors} limit={AUTHORS_SHOWN} />
          <Abstract text={paper.abstract} />
          <CategoryChips categories={paper.categories} />
          <PaperLinks paper={paper} />
          {ctx ? <ReorderButtons paper={paper} ctx={ctx} /> : null}
        </div>
      </article>
    </li>
  );
}
