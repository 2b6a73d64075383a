import crypto from 'node:crypto';

/**
 * Small generated images: a paper card (the `thumbnail` of feed items, usable as an og:image) and
 * initials avatars. Every interpolated string is XML-escaped: titles and names come from arXiv and
 * users, and an SVG opened directly is a document that could run script.
 */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch]!);
}

/** Greedy word wrap by character count; good enough for a card, no font metrics needed. */
export function wrap(text: string, width: number, maxLines: number): string[] {
  const words = text.replace(/\s+/g, ' ').trim().split(' ');
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const w = word.length > width ? `${word.slice(0, width - 1)}…` : word;
    if (!line) line = w;
    else if (line.length + 1 + w.length <= width) line += ` ${w}`;
    else {
      lines.push(line);
      line = w;
    }
  }
  if (line) lines.push(line);
  if (lines.length > maxLines) {
    const kept = lines.slice(0, maxLines);
    kept[maxLines - 1] = `${kept[maxLines - 1]!.slice(0, width - 1).trimEnd()}…`;
    return kept;
  }
  return lines;
}

function hue(s: string): number {
  return crypto.createHash('sha1').update(s).digest().readUInt16BE(0) % 360;
}

export interface CardInput {
  id: string;
  title: string;
  authors: string[];
  siteName: string;
}

export function paperCardSvg(p: CardInput): string {
  const titleLines = wrap(p.title, 38, 4);
  const authorLine = wrap(p.authors.length > 3 ? `${p.authors.slice(0, 3).join(', ')} et al.` : p.authors.join(', '), 70, 1)[0] ?? '';
  const h = hue(p.id);
  const title = titleLines
    .map((l, i) => `<text x="80" y="${200 + i * 76}" font-size="60" font-weight="700" fill="#111827">${escapeXml(l)}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630" viewBox="0 0 1200 630" font-family="system-ui, -apple-system, Segoe UI, sans-serif">
<rect width="1200" height="630" fill="#ffffff"/>
<rect width="1200" height="16" fill="hsl(${h},70%,55%)"/>
<text x="80" y="110" font-size="30" fill="#6b7280">${escapeXml(p.siteName)} · arXiv:${escapeXml(p.id)}</text>
${title}
<text x="80" y="560" font-size="30" fill="#374151">${escapeXml(authorLine)}</text>
</svg>`;
}

export function initials(name: string): string {
  const parts = name.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0]![0], parts[parts.length - 1]![0]] : [...(parts[0] ?? '?')].slice(0, 2);
  return letters.join('').toUpperCase();
}

export function avatarSvg(name: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128" font-family="system-ui, -apple-system, Segoe UI, sans-serif">
<rect width="128" height="128" rx="64" fill="hsl(${hue(name)},55%,50%)"/>
<text x="64" y="64" dy=".35em" text-anchor="middle" font-size="52" font-weight="600" fill="#ffffff">${escapeXml(initials(name))}</text>
</svg>`;
}
