/**
 * Trending: every upvote and comment is an event whose weight halves every HALF_LIFE_HOURS, and a
 * freshly featured paper gets a small bonus that decays the same way.
 *
 *   score = Σ_votes 2^(−age/H) + COMMENT_WEIGHT · Σ_commenters 2^(−age/H) + FRESHNESS_BONUS · 2^(−paperAge/H)
 *
 * Why this and not Hacker News' votes / (age + 2)^1.8: HN decays by the *item's* age, so a paper that
 * gets discovered on its third day can never climb back; decaying each event by its own age measures
 * current momentum instead. It is also a plain sum, so the "Why it's trending" box can show exactly
 * what each term contributed. Because every term decays with the same half-life, a stored score can
 * be re-decayed without reading events: score(t1) = score(t0) · 2^(−(t1−t0)/H) (see `decay`), which
 * is what the periodic job does between events.
 */

/** A day: the feed is daily, so yesterday's votes count half as much as today's. */
export const HALF_LIFE_HOURS = 24;
/**
 * A comment (one per commenter) counts half a vote: discussion is a signal, but a long argument
 * between two people should not outrank papers many people found worth an upvote.
 */
export const COMMENT_WEIGHT = 0.5;
/** A new paper starts at one vote's worth so that today's papers outrank last week's silent ones. */
export const FRESHNESS_BONUS = 1;
/** Only papers featured within this many days are eligible for the trending list. */
export const TRENDING_WINDOW_DAYS = 14;

const MS_PER_HOUR = 3_600_000;

export interface TrendingInput {
  now: Date;
  /** When the paper was featured (or published, if never featured). */
  paperTime: Date;
  voteTimes: Date[];
  /** First comment time of each distinct commenter. */
  commenterTimes: Date[];
}

export interface TrendingExplanation {
  score: number;
  votes: number;
  votes24h: number;
  votes7d: number;
  commenters: number;
  ageHours: number;
  contributions: { votes: number; comments: number; freshness: number };
}

function weight(eventTime: Date, now: Date): number {
  const ageHours = Math.max(0, (now.getTime() - eventTime.getTime()) / MS_PER_HOUR);
  return 2 ** (-ageHours / HALF_LIFE_HOURS);
}

export function explainTrending(input: TrendingInput): TrendingExplanation {
  const { now } = input;
  const votes = input.voteTimes.reduce((s, t) => s + weight(t, now), 0);
  const comments = COMMENT_WEIGHT * input.commenterTimes.reduce((s, t) => s + weight(t, now), 0);
  const freshness = FRESHNESS_BONUS * weight(input.paperTime, now);
  const within = (hours: number) => input.voteTimes.filter((t) => now.getTime() - t.getTime() <= hours * MS_PER_HOUR).length;
  return {
    score: votes + comments + freshness,
    votes: input.voteTimes.length,
    votes24h: within(24),
    votes7d: within(24 * 7),
    commenters: input.commenterTimes.length,
    ageHours: Math.max(0, (now.getTime() - input.paperTime.getTime()) / MS_PER_HOUR),
    contributions: { votes, comments, freshness },
  };
}

export function trendingScore(input: TrendingInput): number {
  return explainTrending(input).score;
}

/** A score computed at `from`, as it stands at `to` (all terms share one half-life). */
export function decay(score: number, from: Date, to: Date): number {
  return score * weight(from, to);
}
