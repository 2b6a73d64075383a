/**
 * The paper page's community parts: the "Why it's trending" box (every term of the score, see
 * domain/trending.ts), and the loader for what the page needs about its viewer.
 */
import type { Context } from 'hono';
import type { AppDeps } from '../deps.ts';
import { COMMENT_WEIGHT, FRESHNESS_BONUS, HALF_LIFE_HOURS, type TrendingExplanation } from '../../domain/trending.ts';
import { toDay } from '../../domain/dates.ts';
import { explainPaperTrending } from '../../services/trending.ts';
import { cardContext, type CardContext } from './upvote-button.tsx';
import { loadVoteHistory, ScoreBar } from './chart-views.tsx';
import type { DayValue } from './charts.ts';

export interface PaperCommunity {
  ctx: CardContext;
  why: TrendingExplanation | null;
  /** Today (UTC), the editor form's default day. */
  today: string;
  /** Running total of upvotes per day, for the sparkline. */
  history: DayValue[];
}

export async function loadPaperCommunity(c: Context, deps: AppDeps, paperId: string): Promise<PaperCommunity> {
  const now = deps.now();
  return {
    ctx: await cardContext(c, deps, [paperId]),
    why: await explainPaperTrending(deps.db, paperId, now),
    today: toDay(now),
    history: await loadVoteHistory(deps.db, paperId, now),
  };
}

/** Two decimals: enough to see each term; the stored score keeps full precision. */
export function fmtScore(x: number): string {
  return x.toFixed(2);
}

/** "5 h", "3 d 4 h": the age of the paper on the feed. */
export function fmtAge(hours: number): string {
  if (hours < 1) return `${Math.round(hours * 60)} min`;
  if (hours < 48) return `${Math.floor(hours)} h`;
  const d = Math.floor(hours / 24);
  const h = Math.floor(hours - d * 24);
  return h ? `${d} d ${h} h` : `${d} d`;
}

/** One plain sentence per constant; shared with the trending page's "How trending works". */
export function FormulaInWords() {
  const half = `${HALF_LIFE_HOURS} hours`;
  return (
    <ul class="formula">
      <li>
        Each upvote counts <strong>1</strong>, halving every {half} after it was cast.
      </li>
      <li>
        Each person who comments counts <strong>{COMMENT_WEIGHT}</strong> (once, however much they write), halving every {half} after their first
        comment.
      </li>
      <li>
        A newly featured paper starts with a bonus of <strong>{FRESHNESS_BONUS}</strong>, halving every {half} after it was featured.
      </li>
    </ul>
  );
}

/** `featured`: the age counts from when the paper was featured (else from its publication). */
export function WhyTrending({ why, featured }: { why: TrendingExplanation | null; featured: boolean }) {
  if (!why) return null;
  const c = why.contributions;
  return (
    <section class="why-trending" aria-labelledby="why-trending-title">
      <h2 id="why-trending-title">Why it's trending</h2>
      <p>
        Trending score <strong class="score">{fmtScore(why.score)}</strong>: recent activity, each event weighing less as it ages.
      </p>
      <ScoreBar terms={c} />
      <dl class="facts">
        <dt>Upvotes</dt>
        <dd>
          {why.votes24h} in the last 24 h · {why.votes7d} in the last 7 days · {why.votes} in all
        </dd>
        <dt>Commenters</dt>
        <dd>{why.commenters === 1 ? '1 person' : `${why.commenters} people`} commented</dd>
        <dt>Age</dt>
        <dd>
          {featured ? 'featured' : 'published'} {fmtAge(why.ageHours)} ago
        </dd>
      </dl>
      <table class="terms">
        <caption class="visually-hidden">How each term contributes to the score</caption>
        <thead>
          <tr>
            <th scope="col">Term</th>
            <th scope="col">Contribution</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">Upvotes, each decayed by its age</th>
            <td>{fmtScore(c.votes)}</td>
          </tr>
          <tr>
            <th scope="row">Commenters × {COMMENT_WEIGHT}, decayed</th>
            <td>{fmtScore(c.comments)}</td>
          </tr>
          <tr>
            <th scope="row">Freshness bonus, decayed by the paper's age</th>
            <td>{fmtScore(c.freshness)}</td>
          </tr>
          <tr class="total">
            <th scope="row">Score</th>
            <td>{fmtScore(why.score)}</td>
          </tr>
        </tbody>
      </table>
      <details>
        <summary>The formula in plain words</summary>
        <FormulaInWords />
      </details>
      <p class="hint">
        <a href="/papers/trending#how">How trending works, and why this formula</a>
      </p>
    </section>
  );
}
