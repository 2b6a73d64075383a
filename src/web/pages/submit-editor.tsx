/** Editor tools on a paper page: feature on (or move to) any day, and unfeature. Editors only. */
import type { DailyEntry, Paper } from '../../domain/paper.ts';
import { formatDay } from '../../domain/dates.ts';
import { CSRF_FIELD } from '../middleware/auth.ts';
import type { CardContext } from './upvote-button.tsx';
import { paperPath } from './urls.ts';

export function EditorTools({ paper, entry, ctx, today }: { paper: Paper; entry: DailyEntry | null; ctx: CardContext; today: string }) {
  if (!ctx.canEdit || !ctx.csrf) return null;
  const base = paperPath(paper.id);
  return (
    <section class="editor-tools" aria-labelledby="editor-tools-title">
      <h2 id="editor-tools-title">Editor tools</h2>
      <p class="hint">{entry ? `Featured on ${formatDay(entry.day)}. Move it to another day, or take it off the feed.` : 'Not featured. Feature it on any day.'}</p>
      <form class="row-form" method="post" action={`${base}/feature`}>
        <input type="hidden" name={CSRF_FIELD} value={ctx.csrf} />
        <label for="feature-day">Day</label>
        <input id="feature-day" type="date" name="day" value={entry?.day ?? today} required />
        <button type="submit">{entry ? 'Move to this day' : 'Feature on this day'}</button>
      </form>
      {entry ? (
        <form class="row-form" method="post" action={`${base}/unfeature`}>
          <input type="hidden" name={CSRF_FIELD} value={ctx.csrf} />
          <button type="submit" class="danger-button">
            Unfeature
          </button>
        </form>
      ) : null}
    </section>
  );
}
