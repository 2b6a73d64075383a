import type { Db } from './db.ts';

/** What a public profile (/u/<username>) lists. Each list is capped; the totals are exact. */
export interface ProfileActivity {
  submitted: { paperId: string; title: string; day: string; at: string }[];
  upvoted: { paperId: string; title: string; at: string }[];
  comments: { id: number; paperId: string; paperTitle: string; body: string; at: string }[];
  totals: { submitted: number; upvoted: number; comments: number };
}

export async function profileActivity(db: Db, userId: number, limit = 50): Promise<ProfileActivity> {
  const k = db.kysely;
  const [submitted, upvoted, comments, nSubmitted, nUpvoted, nComments] = await Promise.all([
    k
      .selectFrom('daily_entries as e')
      .innerJoin('papers as p', 'p.id', 'e.paper_id')
      .select(['p.id', 'p.title', 'e.day', 'e.featured_at'])
      .where('e.featured_by', '=', userId)
      .orderBy('e.featured_at', 'desc')
      .orderBy('e.id', 'desc')
      .limit(limit)
      .execute(),
    k
      .selectFrom('votes as v')
      .innerJoin('papers as p', 'p.id', 'v.paper_id')
      .select(['p.id', 'p.title', 'v.created_at'])
      .where('v.user_id', '=', userId)
      .orderBy('v.created_at', 'desc')
      .orderBy('p.id', 'desc')
      .limit(limit)
      .execute(),
    // Deleted and moderator-hidden comments stay off the profile as they do off the paper page.
    k
      .selectFrom('comments as c')
      .innerJoin('papers as p', 'p.id', 'c.paper_id')
      .select(['c.id', 'c.paper_id', 'p.title', 'c.body', 'c.created_at'])
      .where('c.user_id', '=', userId)
      .where('c.deleted_at', 'is', null)
      .where('c.hidden_at', 'is', null)
      .orderBy('c.created_at', 'desc')
      .orderBy('c.id', 'desc')
      .limit(limit)
      .execute(),
    k.selectFrom('daily_entries').select((eb) => eb.fn.countAll().as('n')).where('featured_by', '=', userId).executeTakeFirstOrThrow(),
    k.selectFrom('votes').select((eb) => eb.fn.countAll().as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow(),
    k
      .selectFrom('comments')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('user_id', '=', userId)
      .where('deleted_at', 'is', null)
      .where('hidden_at', 'is', null)
      .executeTakeFirstOrThrow(),
  ]);
  return {
    submitted: submitted.map((r) => ({ paperId: r.id, title: r.title, day: r.day, at: r.featured_at })),
    upvoted: upvoted.map((r) => ({ paperId: r.id, title: r.title, at: r.created_at })),
    comments: comments.map((r) => ({ id: Number(r.id), paperId: r.paper_id, paperTitle: r.title, body: r.body, at: r.created_at })),
    totals: { submitted: Number(nSubmitted.n), upvoted: Number(nUpvoted.n), comments: Number(nComments.n) },
  };
}
