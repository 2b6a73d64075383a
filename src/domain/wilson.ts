/**
 * Ranking comments by "top": the lower bound of the Wilson score interval for the share of
 * upvotes, at 95 % confidence (Evan Miller, "How Not To Sort By Average Rating", 2009).
 *
 * Why not net votes (up − down)? It favours old comments that merely had more readers. Why not the
 * plain ratio up / (up + down)? One upvote (100 %) would beat 95 upvotes and 5 downvotes. The lower
 * bound asks "what share of readers like this, at least, given how few have voted?": few votes
 * mean a wide interval and a low bound, so a comment must earn both approval and evidence.
 */

/** The two-sided 95 % normal quantile, as the constant is conventionally written. */
export const WILSON_Z = 1.96;

/**
 * Lower bound of the Wilson interval for `up` successes in `up + down` trials; 0 with no votes.
 * With p̂ = up / n:  (p̂ + z²/2n − z·√(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n).
 */
export function wilsonLowerBound(up: number, down: number, z = WILSON_Z): number {
  if (!(up >= 0 && down >= 0)) throw new RangeError('vote counts must be non-negative');
  const n = up + down;
  if (n === 0) return 0;
  const p = up / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const margin = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // Rounding can leave -1e-17 when up = 0; a bound on a share is never negative.
  return Math.max(0, (centre - margin) / (1 + z2 / n));
}
