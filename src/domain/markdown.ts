import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

/**
 * Comment Markdown → safe HTML, in two independent layers:
 *
 * 1. `marked` (GFM) renders Markdown, with raw HTML escaped rather than passed through: a comment
 *    that says `<script>` shows the text "<script>", as its author typed it. Images become plain
 *    links, so a comment cannot make readers' browsers fetch a tracking pixel.
 * 2. `sanitize-html` then keeps only an allow-list of tags with no attributes except `href` on
 *    links (absolute http, https or mailto URLs, checked after entity decoding by the WHATWG URL
 *    parser, the same one browsers use) and `start` on ordered lists. Everything else is dropped.
 *    This layer holds even if layer 1 is misconfigured or marked has a bug.
 *
 * Rendering happens at read time, so a tightened policy also applies to old comments.
 */

const ALLOWED_TAGS = [
  'p', 'br', 'hr', 'em', 'strong', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a',
  'h3', 'h4', 'h5', 'h6', 'table', 'thead', 'tbody', 'tr', 'th', 'td',
];

const LINK_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/** A comment's links: nofollow/ugc tell search engines the site does not vouch for them. */
export const COMMENT_LINK_REL = 'nofollow ugc noopener';

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The normalised URL if it is an absolute http(s)/mailto URL, else null. */
export function safeLinkHref(href: string | undefined): string | null {
  if (!href) return null;
  try {
    const url = new URL(href);
    return LINK_PROTOCOLS.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

const marked = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  renderer: {
    // Block and inline raw HTML both arrive here: show it as text (a block as its own paragraph).
    html({ text, block }) {
      return block ? `<p>${escapeHtml(text.trim())}</p>\n` : escapeHtml(text);
    },
    image({ href, text }) {
      return `<a href="${escapeHtml(href)}">${escapeHtml(text || href)}</a>`;
    },
  },
});

// Comment headings sit below the page's h1 (paper) and h2 (Comments): shift them down so that a
// "# Title" in a comment cannot outrank the page's own outline.
const SHIFT_HEADINGS: Record<string, string> = { h1: 'h3', h2: 'h4', h3: 'h5', h4: 'h6', h5: 'h6' };

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: ALLOWED_TAGS,
  allowedAttributes: { a: ['href', 'rel'], ol: ['start'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    ...SHIFT_HEADINGS,
    a: (_tag, attribs) => {
      const href = safeLinkHref(attribs.href);
      // A link we refuse keeps its text and loses its target (and with it the rel).
      const out: sanitizeHtml.Attributes = href ? { href, rel: COMMENT_LINK_REL } : {};
      return { tagName: 'a', attribs: out };
    },
    ol: (_tag, attribs) => {
      const start = Number(attribs.start);
      const out: sanitizeHtml.Attributes = Number.isInteger(start) && start >= 0 && start < 1e9 ? { start: String(start) } : {};
      return { tagName: 'ol', attribs: out };
    },
  },
  // An <a> without href is just text; unwrap it rather than leave an inert anchor.
  exclusiveFilter: (frame) => (frame.tag === 'a' && !frame.attribs.href ? 'excludeTag' : false),
};

/** Sanitises arbitrary HTML to the comment allow-list. Exposed for tests and defence in depth. */
export function sanitizeCommentHtml(html: string): string {
  return sanitizeHtml(html, SANITIZE);
}

/** Renders a comment's Markdown source to HTML that is safe to insert into a page verbatim. */
export function renderCommentMarkdown(source: string): string {
  const html = marked.parse(source) as string;
  return sanitizeCommentHtml(html).trim();
}
