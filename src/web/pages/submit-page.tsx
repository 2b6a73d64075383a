/** `/papers/submit`: the community submission form, its rules, and the user's recent submissions. */
import type { Config } from '../../config.ts';
import { formatDay } from '../../domain/dates.ts';
import { CSRF_FIELD } from '../middleware/auth.ts';
import { Layout } from './layout.tsx';
import { dayPath, paperPath } from './urls.ts';

export interface SubmitPageProps {
  config: Config;
  csrf: string;
  /** What the user typed, shown again after an error. */
  value: string;
  error: string | null;
  banned: boolean;
  today: string;
  submittedToday: number;
  recent: { id: string; title: string; day: string }[];
}

export function SubmitPage(p: SubmitPageProps) {
  const { config } = p;
  const left = Math.max(0, config.submitDailyCap - p.submittedToday);
  return (
    <Layout config={config} meta={{ title: 'Submit a paper', noindex: true, canonicalPath: '/papers/submit' }}>
      <div class="auth-card submit-card">
        <h1>Submit a paper</h1>
        <p>
          Put a recent arXiv paper on today's feed (<a href={dayPath(p.today)}>{formatDay(p.today)}</a>). It shows who submitted it.
        </p>
        <ul class="rules">
          <li>an arXiv id (2503.11677) or URL (https://arxiv.org/abs/2503.11677);</li>
          <li>first published in the last {config.submitMaxAgeDays} days;</li>
          <li>not already featured;</li>
          <li>
            up to {config.submitDailyCap} a day: you have {left} left today.
          </li>
        </ul>
        {p.error ? (
          <p class="form-error" role="alert" id="submit-error">
            {p.error}
          </p>
        ) : null}
        {p.banned ? (
          <p class="form-error">This account is banned and cannot submit papers.</p>
        ) : (
          <form class="stack-form" method="post" action="/papers/submit">
            <input type="hidden" name={CSRF_FIELD} value={p.csrf} />
            <label for="paperId">arXiv id or URL</label>
            <input
              id="paperId"
              name="paperId"
              value={p.value}
              required
              maxlength={300}
              autocomplete="off"
              placeholder="2503.11677"
              aria-invalid={p.error ? 'true' : undefined}
              aria-describedby={p.error ? 'submit-error' : undefined}
            />
            <button type="submit">Submit</button>
          </form>
        )}
      </div>
      {p.recent.length > 0 ? (
        <section class="panel submit-recent" aria-labelledby="recent-title">
          <h2 id="recent-title">Your recent submissions</h2>
          <ul class="plain">
            {p.recent.map((r) => (
              <li>
                <a href={paperPath(r.id)}>{r.title}</a> · <a href={dayPath(r.day)}>{formatDay(r.day)}</a>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </Layout>
  );
}
