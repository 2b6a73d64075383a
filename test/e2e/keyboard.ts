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

export async function keyboardWalk(page: Page, maxPresses = 1500): Promise<KeyboardWalk> {
  const total = await page.evaluate((selector) => {
    const els = [...document.querySelectorAll<HTMLElement>(selector)].filter((el) => {
      // Rendered and not disabled: content of a closed <details> is not rendered, and cannot be focused.
      const visible = (el as HTMLElement & { checkVisibility(o?: object): boolean }).checkVisibility({ checkVisibilityCSS: true });
      return visible && !(el as HTMLButtonElement).disabled;
    });
    els.forEach((el, i) => el.setAttribute('data-kb', String(i)));
    return els.length;
  }, INTERACTIVE);

  // Start from the top of the document, as a fresh page load does.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const reached: string[] = [];
  const invisible: string[] = [];
  for (let i = 0; i < maxPresses; i++) {
    await page.keyboard.press('Tab');
    const step = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null;
      el.setAttribute('data-kb-reached', '1');
      const cls = el.classList[0] ? `.${el.classList[0]}` : '';
      const id = el.id ? `#${el.id}` : '';
      const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 50);
      const s = getComputedStyle(el);
      // A visible indicator: an outline of at least 2 px, or a focus ring drawn as a box shadow.
      const shown = el.matches(':focus-visible') && ((s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none');
      return { desc: `${el.tagName.toLowerCase()}${id}${cls} "${text}"`, shown, kb: el.getAttribute('data-kb') };
    });
    // Focus left the document (past the last control): the walk is complete.
    if (!step) break;
    if (reached.length > 0 && step.desc === reached[0]) break;
    reached.push(step.desc);
    if (!step.shown) invisible.push(step.desc);
  }
  const missed = await page.evaluate(
    (n) =>
      [...document.querySelectorAll('[data-kb]:not([data-kb-reached])')]
        .slice(0, n)
        .map((el) => `${el.tagName.toLowerCase()} "${(el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 50)}" ${el.getAttribute('href') ?? ''}`),
    20,
  );
  if (reached.length === 0 && total > 0) missed.unshift('(nothing was focused)');
  return { reached, missed, invisible };
}
