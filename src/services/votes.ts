import type { Db } from '../storage/db.ts';
import type { User } from '../domain/user.ts';
import { parseArxivRef } from '../domain/arxiv-id.ts';
import { AppError } from './errors.ts';
import { assertCanWrite } from './auth.ts';
import { hitRateLimit } from './rate-limit.ts';
import { recomputeTrending } from './trending.ts';
import { applyVote, type VoteIntent, type VoteResult } from '../storage/votes-repo.ts';

export type { VoteIntent, VoteResult };

/**
 * One user's upvote on a paper: `up` and `down` are idempotent (the API's POST and DELETE),
 * `toggle` flips (a click on a form rendered without knowing the state). Order of checks: who
 * (401/403), what (404), how often (429); only then is anything written.
 */
export async function castVote(db: Db, user: User | null, rawId: string, intent: VoteIntent, now: Date): Promise<VoteResult> {
  const voter = assertCanWrite(user);
  const parsed = parseArxivRef(rawId);
  if (!parsed) throw AppError.notFound(`"${rawId}" is not an arXiv id`);
  const exists = await db.kysely.selectFrom('papers').select('id').where('id', '=', parsed.id).executeTakeFirst();
  if (!exists) throw AppError.notFound(`No paper ${parsed.id} is indexed here`);
  await hitRateLimit(db, 'vote', String(voter.id), now);
  const result = await applyVote(db, voter.id, parsed.id, intent, now.toISOString());
  // The score moves with every vote; the periodic re-decay only ages it between events.
  await recomputeTrending(db, parsed.id, now);
  return result;
}

/** Reads a form's `vote` field: the state the page showed decides, so a stale page cannot flip twice. */
export function intentFromForm(value: unknown): VoteIntent {
  if (value === 'up' || value === 'down') return value;
  return 'toggle';
}
