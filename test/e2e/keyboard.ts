/**
 * Keyboard navigation: press Tab through a whole page and record what gets focus. Every visible
 * interactive element is tagged first; after the walk each one that was focused carries
 * `data-kb-reached`, so a test can ask about any group of controls with a plain selector.
 */
import type { Page } from 'playwright-core';

export interface KeyboardWalk {
  /** Descriptions of the focused elements, in Tab order. */
  reached: string[];
  /** Interactive elements on the page that Tab never reached. */
  missed: string[];
  /** Elements that had focus without a visible focus indicator. */
  invisible: string[];
}

const INTERACTIVE = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, [tabindex]:not([tabindex="-1"])';

/**
 * A focus listener in the page records each step (what got focus, and whether it showed), so the
 * walk is one key press per control instead of a round trip per press to ask what has focus.
 */
export async function keyboardWalk(page: Page): Promise<KeyboardWalk> {
  const total = await page.evaluate((selector) => {
    const els = [...document.querySelectorAll<HTMLElement>(selector)].filter((el) => {
      // Rendered and not disabled: content of a closed <details> is not rendered, and cannot be focused.
      const visible = (el as HTMLElement & { checkVisibility(o?: object): boolean }).checkVisibility({ checkVisibilityCSS: true });
      return visible && !(el as HTMLButtonElement).disabled;
    });
    els.forEach((el, i) => el.setAttribute('data-kb', String(i)));
    const log: { desc: string; shown: boolean }[] = [];
    (window as unknown as { __kbLog: typeof log }).__kbLog = log;
    document.addEventListener('focusin', (e) => {
      const el = e.target as HTMLElement;
      el.setAttribute('data-kb-reached', '1');
      const cls = el.classList[0] ? `.${el.classList[0]}` : '';
      const id = el.id ? `#${el.id}` : '';
      const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 50);
      const s = getComputedStyle(el);
      // A visible indicator: an outline of at least 2 px, or a focus ring drawn as a box shadow.
      const shown = el.matches(':focus-visible') && ((s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none');
      log.push({ desc: `${el.tagName.toLowerCase()}${id}${cls} "${text}"`, shown });
    });
    // Start from the top of the document, as a fresh page load does.
    (document.activeElement as HTMLElement | null)?.blur();
    return els.length;
  }, INTERACTIVE);

  // A few presses past the count: focus leaves the page after the last control, then wraps.
  for (let i = 0; i < total + 3; i++) await page.keyboard.press('Tab');
  const log = await page.evaluate(() => (window as unknown as { __kbLog: { desc: string; shown: boolean }[] }).__kbLog);
  const wrap = log.findIndex((step, i) => i > 0 && step.desc === log[0].desc);
  const steps = wrap > 0 ? log.slice(0, wrap) : log;
  const missed = await page.evaluate(
    (n) =>
      [...document.querySelectorAll('[data-kb]:not([data-kb-reached])')]
        .slice(0, n)
        .map((el) => `${el.tagName.toLowerCase()} "${(el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 50)}" ${el.getAttribute('href') ?? ''}`),
    20,
  );
  if (steps.length === 0 && total > 0) missed.unshift('(nothing was focused)');
  return { reached: steps.map((s) => s.desc), missed, invisible: steps.filter((s) => !s.shown).map((s) => s.desc) };
}
