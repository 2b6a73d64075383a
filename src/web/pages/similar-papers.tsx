/**
 * "Similar papers" on a paper page: its 10 nearest papers by the search engine (vector neighbours,
 * or a more-like-this keyword query when no vector index exists), never the paper itself.
 */
import type { Db } from '../../storage/db.ts';
import type { Paper } from '../../domain/paper.ts';
import { formatDay, isValidDay } from '../../domain/dates.ts';
import { similarPapers } from '../../search/index.ts';
import { paperPath } from './urls.ts';

export const SIMILAR_COUNT = 10;

/**
 * Never fails the page: a broken or unreachable embedding provider (a remote endpoint that is
 * down) costs this section, not the paper. The error is logged once per process.
 */
let warned = false;
export async function loadSimilar(db: Db, paperId: string): Promise<Paper[]> {
  try {
    const found = await similarPapers(db, paperId, SIMILAR_COUNT);
    return found.map((f) => f.paper).filter((p) => p.id !== paperId);
  } catch (err) {
    if (!warned) {
      warned = true;
      console.error(`similar papers unavailable: ${(err as Error).message}`);
    }
    return [];
  }
}

export function SimilarPapers({ papers }: { papers: Paper[] }) {
  if (!papers.length) return null;
  return (
    <section class="similar" aria-labelledby="similar-title">
      <h2 id="similar-title">Similar papers</h2>
      <ol class="similar-list">
        {papers.map((p) => {
          const day = p.publishedAt?.slice(0, 10) ?? '';
          return (
            <li>
              <a href={paperPath(p.id)}>{p.title}</a>
              <span class="meta">
                {' · '}
                {isValidDay(day) ? formatDay(day) : `arXiv:${p.id}`}
                {p.upvotes > 0 ? ` · ▲ ${p.upvotes}` : ''}
              </span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
