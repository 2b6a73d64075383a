/** A paper as Markdown (`/papers/<id>.md`): for readers, scripts and language models. */
import type { DailyEntry, Paper } from '../../domain/paper.ts';
import { arxivAbsUrl, arxivPdfUrl } from '../../domain/arxiv-id.ts';
import { dayPath, paperPath, safeHttpUrl } from './urls.ts';

/**
 * Data is text, not Markdown: `<` is escaped so that a renderer cannot turn a title into HTML,
 * and single-line fields lose their line breaks so they cannot start new blocks.
 */
function text(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/</g, '\\<');
}

function line(s: string): string {
  return text(s.replace(/\s+/g, ' ').trim());
}

/** A URL that is safe inside `(...)` of a Markdown link. */
function href(u: string): string {
  return u.replace(/[()\s]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

function link(label: string, url: string): string {
  return `[${label}](${href(url)})`;
}

export function paperMarkdown(paper: Paper, entry: DailyEntry | null, baseUrl: string): string {
  const out: string[] = [`# ${line(paper.title)}`, ''];
  if (paper.authors.length > 0) out.push(`**Authors:** ${line(paper.authors.join(', '))}`, '');

  const links = [link(`arXiv:${paper.id}`, arxivAbsUrl(paper.id)), link('PDF', arxivPdfUrl(paper.id))];
  const code = safeHttpUrl(paper.githubRepo);
  const project = safeHttpUrl(paper.projectPage);
  if (code) links.push(link('Code', code));
  if (project) links.push(link('Project page', project));
  if (paper.doi) links.push(link(`DOI: ${line(paper.doi)}`, `https://doi.org/${paper.doi.trim()}`));
  out.push(`**Links:** ${links.join(' · ')}`, '');

  if (paper.categories.length > 0) {
    const cats = paper.categories.map((c, i) => (i === 0 ? `${line(c)} (primary)` : line(c)));
    out.push(`**Categories:** ${cats.join(', ')}`, '');
  }

  const dates: string[] = [];
  if (paper.publishedAt) dates.push(`**Published:** ${paper.publishedAt.slice(0, 10)}`);
  if (paper.updatedAt && paper.updatedAt.slice(0, 10) !== paper.publishedAt?.slice(0, 10)) dates.push(`**Updated:** ${paper.updatedAt.slice(0, 10)}`);
  if (paper.latestVersion) dates.push(`**Version:** v${paper.latestVersion}`);
  if (entry) dates.push(`**Featured:** ${link(entry.day, `${baseUrl}${dayPath(entry.day)}`)}`);
  if (dates.length > 0) out.push(dates.join(' · '), '');

  out.push(`**Upvotes:** ${paper.upvotes} · **Comments:** ${paper.numComments}`, '');

  out.push('## Abstract', '', paper.abstract ? text(paper.abstract.trim()) : '_No abstract._', '');
  if (paper.comment) out.push(`**Comment:** ${line(paper.comment)}`, '');
  if (paper.journalRef) out.push(`**Journal ref:** ${line(paper.journalRef)}`, '');
  out.push('---', '', `Source: ${baseUrl}${paperPath(paper.id)}`, '');
  return out.join('\n');
}
