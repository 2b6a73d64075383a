/** `/u/<username>`: what a user submitted, upvoted and said. Public; the email never appears. */
import type { Config } from '../../config.ts';
import type { User } from '../../domain/user.ts';
import { formatDay, isValidDay } from '../../domain/dates.ts';
import type { ProfileActivity } from '../../storage/profile-repo.ts';
import { Layout } from './layout.tsx';
import { dayPath, paperPath, truncate } from './urls.ts';

const EXCERPT = 280;

export function When({ iso }: { iso: string | null }) {
  if (!iso) return <>never</>;
  const day = iso.slice(0, 10);
  return <time datetime={iso}>{isValidDay(day) ? formatDay(day) : iso}</time>;
}

function count(n: number, shown: number): string {
  return n > shown ? `${n} (latest ${shown} shown)` : String(n);
}

export function ProfilePage({ config, user, activity }: { config: Config; user: User; activity: ProfileActivity }) {
  const { submitted, upvoted, comments, totals } = activity;
  const roleLabel = user.role === 'admin' ? 'Admin' : user.role === 'editor' ? 'Editor' : null;
  return (
    <Layout
      config={config}
      meta={{ title: `${user.username}'s profile`, description: `Papers submitted and upvoted by ${user.username} on ${config.siteName}.`, canonicalPath: `/u/${encodeURIComponent(user.username)}` }}
    >
      <div class="page-head">
        <div>
          <h1>
            {user.username}
            {roleLabel ? <span class="role-badge">{roleLabel}</span> : null}
          </h1>
          <p class="page-sub">
            Joined <When iso={user.createdAt} />
            {user.bannedAt ? ' · this account is suspended' : ''}
          </p>
        </div>
      </div>

      <section class="panel" aria-labelledby="submitted-title">
        <h2 id="submitted-title">Submitted papers · {count(totals.submitted, submitted.length)}</h2>
        {submitted.length === 0 ? (
          <p class="page-sub">No submissions yet.</p>
        ) : (
          <ul class="plain">
            {submitted.map((s) => (
              <li>
                <a href={paperPath(s.paperId)}>{s.title}</a>{' '}
                <span class="meta">
                  · featured on <a href={dayPath(s.day)}>{formatDay(s.day)}</a>
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section class="panel" aria-labelledby="upvoted-title">
        <h2 id="upvoted-title">Upvoted papers · {count(totals.upvoted, upvoted.length)}</h2>
        {upvoted.length === 0 ? (
          <p class="page-sub">No upvotes yet.</p>
        ) : (
          <ul class="plain">
            {upvoted.map((v) => (
              <li>
                <a href={paperPath(v.paperId)}>{v.title}</a>{' '}
                <span class="meta">
                  · <When iso={v.at} />
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section class="panel" aria-labelledby="comments-title">
        <h2 id="comments-title">Comments · {count(totals.comments, comments.length)}</h2>
        {comments.length === 0 ? (
          <p class="page-sub">No comments yet.</p>
        ) : (
          <ul class="plain">
            {comments.map((cm) => (
              <li>
                On <a href={`${paperPath(cm.paperId)}#comment-${cm.id}`}>{cm.paperTitle}</a>{' '}
                <span class="meta">
                  · <When iso={cm.at} />
                </span>
                {/* The Markdown source as plain text: an excerpt needs no rendering and cannot inject markup. */}
                <p class="comment-excerpt">{truncate(cm.body, EXCERPT)}</p>
              </li>
            ))}
          </ul>
        )}
      </section>
    </Layout>
  );
}
