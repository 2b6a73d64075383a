/**
 * Email HTML and text. Email clients ignore most of CSS: layout is tables, styles are inline, and
 * the only `<style>` block is a dark-mode override for the clients that honour it (Apple Mail,
 * Outlook.com); elsewhere the mid-contrast palette survives the clients' own colour inversion.
 * Sections are rendered once per period and shared between subscribers (see outbox_parts); only
 * the shell and the footer, which carry per-subscriber links, are rendered at send time.
 */
import { paperPath } from '../web/pages/urls.ts';

export interface DigestPaper {
  id: string;
  title: string;
  authors: string[];
  abstract: string;
  upvotes: number;
  categories: string[];
}

export interface RenderedPart {
  html: string;
  text: string;
  papers: number;
}

const FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
const C = { bg: '#f4f5f7', card: '#ffffff', text: '#111827', muted: '#4b5563', border: '#e5e7eb', link: '#1d4ed8', accent: '#b45309' };

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The first sentences of an abstract, up to about `max` characters, cut on a word. */
export function firstSentences(abstract: string, max = 300): string {
  const text = abstract.replace(/\s+/g, ' ').trim();
  const sentences = text.match(/[^.!?]+(?:[.!?]+(?=\s|$)|$)/g) ?? [text];
  let out = '';
  for (const s of sentences) {
    if (out && (out + s).length > max) break;
    out += s;
    if (out.length >= max * 0.6) break;
  }
  out = out.trim();
  if (out.length <= max) return out;
  const cut = out.slice(0, max - 1);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max * 0.6)).replace(/[\s,.;:]+$/, '')}…`;
}

export function authorLine(authors: string[], max = 5): string {
  if (authors.length <= max) return authors.join(', ');
  return `${authors.slice(0, max).join(', ')} et al.`;
}

function links(baseUrl: string, id: string) {
  return { page: `${baseUrl}${paperPath(id)}`, arxiv: `https://arxiv.org/abs/${id}`, pdf: `https://arxiv.org/pdf/${id}` };
}

function paperHtml(baseUrl: string, p: DigestPaper, n: number | null): string {
  const l = links(baseUrl, p.id);
  const num = n === null ? '' : `<span style="color:${C.accent};font-weight:700">${n}.</span> `;
  const votes = p.upvotes > 0 ? ` · ▲ ${p.upvotes}` : '';
  return (
    `<tr><td class="dp-card" style="padding:16px 18px;background:${C.card};border:1px solid ${C.border};border-radius:10px">` +
    `<div style="font-size:17px;line-height:1.35;font-weight:600">${num}<a href="${esc(l.page)}" style="color:${C.link};text-decoration:none">${esc(p.title)}</a></div>` +
    `<div class="dp-muted" style="font-size:13px;line-height:1.4;color:${C.muted};margin-top:4px">${esc(authorLine(p.authors))}${votes}</div>` +
    `<div style="font-size:14px;line-height:1.55;margin-top:8px">${esc(firstSentences(p.abstract))}</div>` +
    `<div style="font-size:13px;margin-top:10px"><a href="${esc(l.page)}" style="color:${C.link}">Paper page</a> · ` +
    `<a href="${esc(l.arxiv)}" style="color:${C.link}">arXiv</a> · <a href="${esc(l.pdf)}" style="color:${C.link}">PDF</a></div>` +
    `</td></tr><tr><td height="12" style="font-size:0;line-height:0">&nbsp;</td></tr>`
  );
}

function paperText(baseUrl: string, p: DigestPaper, n: number | null): string {
  const l = links(baseUrl, p.id);
  const votes = p.upvotes > 0 ? ` (▲ ${p.upvotes})` : '';
  return [`${n === null ? '-' : `${n}.`} ${p.title}${votes}`, `   ${authorLine(p.authors)}`, `   ${firstSentences(p.abstract)}`, `   ${l.page}`, `   ${l.arxiv}`, ''].join('\n');
}

function heading(text: string, sub?: string): string {
  return (
    `<tr><td style="padding:18px 2px 10px"><div style="font-size:19px;font-weight:700">${esc(text)}</div>` +
    (sub ? `<div class="dp-muted" style="font-size:13px;color:${C.muted};margin-top:2px">${esc(sub)}</div>` : '') +
    `</td></tr>`
  );
}

export function renderTrendingPart(baseUrl: string, title: string, papers: DigestPaper[]): RenderedPart {
  const html = heading(title) + papers.map((p, i) => paperHtml(baseUrl, p, i + 1)).join('');
  const text = `${title.toUpperCase()}\n\n${papers.map((p, i) => paperText(baseUrl, p, i + 1)).join('\n')}`;
  return { html, text, papers: papers.length };
}

export function renderTopicPart(baseUrl: string, topic: string, papers: DigestPaper[]): RenderedPart {
  const feed = `${baseUrl}/search/feed.xml?q=${encodeURIComponent(topic)}`;
  const html = heading(`“${topic}”`, `${papers.length} new paper${papers.length === 1 ? '' : 's'}`) + papers.map((p) => paperHtml(baseUrl, p, null)).join('');
  const text = `"${topic}" (feed: ${feed})\n\n${papers.map((p) => paperText(baseUrl, p, null)).join('\n')}`;
  return { html, text, papers: papers.length };
}

export interface ShellInput {
  siteName: string;
  baseUrl: string;
  subject: string;
  /** "Thursday, March 12" or "Week of March 9". */
  label: string;
  /** Shown by clients next to the subject. */
  preheader: string;
  trending: RenderedPart | null;
  topics: RenderedPart[];
  footer: { html: string; text: string };
}

export function renderDigest(i: ShellInput): { html: string; text: string } {
  const topicsHtml = i.topics.length ? heading('New in your topics') + i.topics.map((t) => t.html).join('') : '';
  const html = shell(i.siteName, i.baseUrl, i.subject, i.label, i.preheader, (i.trending?.html ?? '') + topicsHtml, i.footer.html);
  const text = [
    `${i.siteName} · ${i.label}`,
    i.trending ? i.trending.text.trimEnd() : '',
    i.topics.length ? `NEW IN YOUR TOPICS\n\n${i.topics.map((t) => t.text.trimEnd()).join('\n\n')}` : '',
    `--\n${i.footer.text}`,
  ]
    .filter((s) => s !== '')
    .join('\n\n');
  return { html, text };
}

/** The page around the sections; `body` is rows of the inner 600 px table. */
export function shell(siteName: string, baseUrl: string, title: string, label: string, preheader: string, body: string, footer: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<meta name="color-scheme" content="light dark"><meta name="supported-color-schemes" content="light dark"><title>${esc(title)}</title>` +
    `<style>@media (prefers-color-scheme: dark){.dp-body,.dp-bg{background:#0b0f19 !important;color:#e5e7eb !important}.dp-text{color:#e5e7eb !important}` +
    `.dp-card{background:#111827 !important;border-color:#374151 !important}.dp-muted{color:#9ca3af !important}a{color:#93c5fd !important}}</style></head>` +
    `<body class="dp-body" style="margin:0;padding:0;background:${C.bg};color:${C.text};font-family:${FONT}">` +
    `<div style="display:none;max-height:0;overflow:hidden;opacity:0">${esc(preheader)}</div>` +
    `<table role="presentation" class="dp-bg" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:${C.bg}"><tr><td align="center" style="padding:24px 12px">` +
    `<table role="presentation" class="dp-text" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;font-family:${FONT};color:${C.text}">` +
    `<tr><td style="padding:0 2px 6px"><a href="${esc(baseUrl)}/" style="font-size:22px;font-weight:800;color:${C.text};text-decoration:none">${esc(siteName)}</a>` +
    `<div class="dp-muted" style="font-size:14px;color:${C.muted}">${esc(label)}</div></td></tr>` +
    body +
    `<tr><td class="dp-muted" style="padding:20px 2px 0;font-size:12px;line-height:1.6;color:${C.muted}">${footer}</td></tr>` +
    `</table></td></tr></table></body></html>`
  );
}

export interface FooterLinks {
  unsubscribe: string;
  manage: string;
  frequency: 'daily' | 'weekly';
}

export function renderFooter(siteName: string, l: FooterLinks): { html: string; text: string } {
  const html =
    `You get this ${l.frequency} digest because you subscribed to ${esc(siteName)}. ` +
    `<a href="${esc(l.manage)}" style="color:${C.muted}">Change frequency or topics</a> · ` +
    `<a href="${esc(l.unsubscribe)}" style="color:${C.muted}">Unsubscribe</a>`;
  const text = `You get this ${l.frequency} digest because you subscribed to ${siteName}.\nChange frequency or topics: ${l.manage}\nUnsubscribe: ${l.unsubscribe}`;
  return { html, text };
}

/** A one-off message (confirmation, notice): a title, paragraphs and one button. */
export function renderNotice(siteName: string, baseUrl: string, n: { subject: string; paragraphs: string[]; button: { label: string; url: string }; after?: string[] }): { html: string; text: string } {
  const p = (s: string) => `<tr><td style="padding:6px 2px;font-size:15px;line-height:1.55">${esc(s)}</td></tr>`;
  const button =
    `<tr><td style="padding:14px 2px"><a href="${esc(n.button.url)}" style="display:inline-block;padding:11px 20px;border-radius:8px;` +
    `background:${C.link};color:#ffffff;font-weight:600;text-decoration:none">${esc(n.button.label)}</a></td></tr>` +
    `<tr><td class="dp-muted" style="padding:0 2px 8px;font-size:12px;color:${C.muted};word-break:break-all">${esc(n.button.url)}</td></tr>`;
  const html = shell(siteName, baseUrl, n.subject, n.subject, n.paragraphs[0] ?? '', n.paragraphs.map(p).join('') + button + (n.after ?? []).map(p).join(''), '');
  const text = [...n.paragraphs, '', `${n.button.label}: ${n.button.url}`, '', ...(n.after ?? [])].join('\n').trim() + '\n';
  return { html, text };
}
