/**
 * Topic webhooks: the same new-paper batch a topic's email section has, POSTed as JSON in the
 * shape the receiver expects (Slack incoming webhook, Discord webhook, or a generic document).
 * Deliveries go through the outbox like emails (retries with backoff); each attempt has a timeout.
 *
 * Webhook URLs are typed in by subscribers, so delivery refuses loopback, private and link-local
 * addresses (SSRF) unless WEBHOOK_ALLOW_PRIVATE is set, and never follows redirects.
 */
import dns from 'node:dns/promises';
import net from 'node:net';
import { paperPath } from '../web/pages/urls.ts';
import { authorLine, firstSentences } from './render.ts';
import type { TopicPaper } from './topic-matcher.ts';
import type { FailureKind } from './transport.ts';

export type WebhookKind = 'slack' | 'discord' | 'json';

export function guessWebhookKind(url: string): WebhookKind {
  const host = new URL(url).hostname;
  if (host === 'hooks.slack.com') return 'slack';
  if (/(^|\.)discord(app)?\.com$/.test(host) && new URL(url).pathname.startsWith('/api/webhooks/')) return 'discord';
  return 'json';
}

/** Why a URL cannot be a webhook, or null. */
export function webhookUrlProblem(raw: string): string | null {
  if (raw.length > 2000) return 'Webhook URLs must be at most 2000 characters';
  if (/[\x00-\x20\x7f]/.test(raw)) return 'Webhook URLs must not contain spaces or control characters';
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'Enter a full webhook URL starting with https://';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'Webhook URLs must use https:// (or http://)';
  if (u.username || u.password) return 'Webhook URLs must not contain a user name or password';
  return null;
}

interface BatchInput {
  baseUrl: string;
  siteName: string;
  topic: string;
  period: string;
  papers: TopicPaper[];
}

function slackEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function webhookBody(kind: WebhookKind, b: BatchInput): unknown {
  const feed = `${b.baseUrl}/search/feed.xml?q=${encodeURIComponent(b.topic)}`;
  const items = b.papers.map((p) => ({
    id: p.id,
    title: p.title,
    authors: p.authors,
    summary: firstSentences(p.abstract),
    categories: p.categories,
    upvotes: p.upvotes,
    url: `${b.baseUrl}${paperPath(p.id)}`,
    arxivUrl: `https://arxiv.org/abs/${p.id}`,
    publishedAt: p.publishedAt,
  }));
  const headline = `${items.length} new paper${items.length === 1 ? '' : 's'} for “${b.topic}” on ${b.siteName}`;
  if (kind === 'slack') {
    const lines = items.map((i) => `• <${i.url}|${slackEscape(i.title)}> — ${slackEscape(authorLine(i.authors, 3))} (<${i.arxivUrl}|arXiv>)`);
    return { text: `*${slackEscape(headline)}*\n${lines.join('\n')}`, unfurl_links: false };
  }
  if (kind === 'discord') {
    return {
      content: headline.slice(0, 2000),
      // Discord allows 10 embeds per message; a paper title can never ping anyone.
      embeds: items.slice(0, 10).map((i) => ({ title: i.title.slice(0, 256), url: i.url, description: `${authorLine(i.authors, 3)}\n\n${i.summary}`.slice(0, 4000) })),
      allowed_mentions: { parse: [] },
    };
  }
  return { type: 'dailypapers.topic', topic: b.topic, period: b.period, feed, papers: items };
}

const PRIVATE = new net.BlockList();
for (const [net4, bits] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) {
  PRIVATE.addSubnet(net4, bits, 'ipv4');
}
for (const [net6, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) PRIVATE.addSubnet(net6, bits, 'ipv6');

export function isPrivateAddress(ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return PRIVATE.check(mapped[1], 'ipv4');
  return PRIVATE.check(ip, net.isIPv6(ip) ? 'ipv6' : 'ipv4');
}

export class WebhookError extends Error {
  constructor(message: string, readonly kind: FailureKind) {
    super(message);
  }
}

export async function deliverWebhook(url: string, body: unknown, opts: { timeoutMs: number; allowPrivate: boolean; userAgent: string }): Promise<void> {
  const problem = webhookUrlProblem(url);
  if (problem) throw new WebhookError(problem, 'permanent');
  const u = new URL(url);
  if (!opts.allowPrivate) {
    const host = u.hostname.replace(/^\[|\]$/g, '');
    let addrs: string[];
    try {
      addrs = net.isIP(host) ? [host] : (await dns.lookup(host, { all: true })).map((a) => a.address);
    } catch (err) {
      throw new WebhookError(`cannot resolve ${host}: ${(err as Error).message}`, 'temporary');
    }
    if (addrs.some(isPrivateAddress)) throw new WebhookError(`${host} is a private or loopback address (set WEBHOOK_ALLOW_PRIVATE=1 to allow)`, 'permanent');
  }
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': opts.userAgent },
      body: JSON.stringify(body),
      redirect: 'manual',
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
  } catch (err) {
    const e = err as Error;
    throw new WebhookError(e.name === 'TimeoutError' ? `no answer within ${opts.timeoutMs} ms` : `${e.message}${(e.cause as Error | undefined)?.message ? `: ${(e.cause as Error).message}` : ''}`, 'temporary');
  }
  await res.body?.cancel().catch(() => {});
  if (res.status >= 200 && res.status < 300) return;
  const temporary = res.status === 408 || res.status === 429 || res.status >= 500;
  throw new WebhookError(`HTTP ${res.status}${res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : ''}`, temporary ? 'temporary' : 'permanent');
}
