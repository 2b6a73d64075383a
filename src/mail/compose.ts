/**
 * Turns an outbox row into a message at send time. Digest rows reference shared, pre-rendered
 * sections; what is personal (the footer's signed links, the RFC 8058 headers) is added here, from
 * the instance secret, so nothing secret-derived is stored per row.
 */
import type { Config } from '../config.ts';
import type { Db } from '../storage/db.ts';
import type { Subscriber } from '../storage/subscriptions-repo.ts';
import { loadParts, type OutboxRow } from './outbox.ts';
import { renderDigest, renderFooter, type RenderedPart } from './render.ts';
import { signToken } from './tokens.ts';
import type { OutgoingMail } from './transport.ts';

export function unsubscribeUrl(config: Config, s: Pick<Subscriber, 'id' | 'email'>): string {
  return `${config.baseUrl}/unsubscribe?token=${signToken(config.secret, 'unsubscribe', s.id, s.email, null)}`;
}

export function manageUrl(config: Config, s: Pick<Subscriber, 'id' | 'email'>): string {
  return `${config.baseUrl}/subscription?token=${signToken(config.secret, 'manage', s.id, s.email, null)}`;
}

export function confirmUrl(config: Config, s: Pick<Subscriber, 'id' | 'email'>, expiresAt: Date): string {
  return `${config.baseUrl}/subscribe/confirm?token=${signToken(config.secret, 'confirm', s.id, s.email, expiresAt)}`;
}

function mailHost(config: Config): string {
  try {
    return new URL(config.baseUrl).hostname || 'localhost';
  } catch {
    return 'localhost';
  }
}

/**
 * Derived from the idempotency key: a message resent after a crash has the same Message-ID, which
 * lets receiving servers and clients drop the copy.
 */
export function messageIdFor(config: Config, key: string): string {
  return `<${key.replace(/[^A-Za-z0-9.-]+/g, '.')}@${mailHost(config)}>`;
}

export interface DigestPayload {
  /** "Thursday, March 12". */
  label: string;
  trending: number | null;
  topics: number[];
  /** Preview sends (`digest send --to`) to an address that is not a subscriber carry no links. */
  preview?: boolean;
}

export interface PartsSource {
  get(ids: number[]): Promise<Map<number, RenderedPart>>;
}

/** Sections are shared by thousands of rows: keep the recently used ones in memory. */
export class PartsCache implements PartsSource {
  private readonly map = new Map<number, RenderedPart>();
  constructor(private readonly db: Db, private readonly max = 2000) {}

  async get(ids: number[]): Promise<Map<number, RenderedPart>> {
    const missing = ids.filter((id) => !this.map.has(id));
    if (missing.length) {
      const loaded = await loadParts(this.db, missing);
      if (this.map.size + loaded.size > this.max) this.map.clear();
      for (const [id, p] of loaded) this.map.set(id, p);
    }
    return new Map(ids.filter((id) => this.map.has(id)).map((id) => [id, this.map.get(id)!]));
  }
}

export async function composeDigest(config: Config, row: OutboxRow, subscriber: Subscriber | null, parts: PartsSource): Promise<OutgoingMail> {
  const payload = JSON.parse(row.payload ?? '{}') as DigestPayload;
  const ids = [...(payload.trending ? [payload.trending] : []), ...payload.topics];
  const loaded = await parts.get(ids);
  if (loaded.size !== ids.length) throw new Error(`digest ${row.key}: a rendered section is missing`);
  const frequency = (row.period ?? '').startsWith('weekly') ? 'weekly' : 'daily';
  const headers: Record<string, string> = { 'Auto-Submitted': 'auto-generated', 'List-Id': `${config.siteName} digest <digest.${mailHost(config)}>` };
  let footer: { html: string; text: string };
  if (subscriber) {
    const unsub = unsubscribeUrl(config, subscriber);
    footer = renderFooter(config.siteName, { unsubscribe: unsub, manage: manageUrl(config, subscriber), frequency });
    // RFC 8058 one-click: mail clients POST "List-Unsubscribe=One-Click" to this URL.
    headers['List-Unsubscribe'] = `<${unsub}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  } else {
    footer = { html: 'A preview of the digest; you are not subscribed.', text: 'A preview of the digest; you are not subscribed.' };
  }
  const trending = payload.trending ? loaded.get(payload.trending)! : null;
  const { html, text } = renderDigest({
    siteName: config.siteName,
    baseUrl: config.baseUrl,
    subject: row.subject,
    label: payload.label,
    preheader: row.subject,
    trending,
    topics: payload.topics.map((id) => loaded.get(id)!),
    footer,
  });
  return { from: config.mailFrom, to: row.recipient, subject: row.subject, html, text, messageId: messageIdFor(config, row.key), headers };
}

/** Confirmations and notices carry their rendered body in the row. */
export function composeOneOff(config: Config, row: OutboxRow): OutgoingMail {
  const body = JSON.parse(row.payload ?? '{}') as { html: string; text: string };
  return {
    from: config.mailFrom,
    to: row.recipient,
    subject: row.subject,
    html: body.html,
    text: body.text,
    messageId: messageIdFor(config, row.key),
    headers: { 'Auto-Submitted': 'auto-generated' },
  };
}
