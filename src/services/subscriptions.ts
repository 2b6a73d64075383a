/**
 * Email subscriptions: double opt-in, signed links, and management.
 *
 * Privacy rule: whatever an address's state (new, pending, confirmed, unsubscribed, bounced), a
 * subscription request gets the same answer. What differs is only what is emailed to the address
 * itself: a confirmation link (new/pending/unsubscribed), a "you are already subscribed, manage it
 * here" note (confirmed), nothing (bounced). Either email is sent at most once an hour per address.
 */
import type { Config } from '../config.ts';
import type { Db } from '../storage/db.ts';
import type { User } from '../domain/user.ts';
import { AppError } from './errors.ts';
import { EMAIL_RE } from './auth.ts';
import {
  claimNoticeSlot, confirmSubscriber, deleteWebhook, findSubscriber, findSubscriberByEmail, insertPendingSubscriber, insertWebhook, linkUser,
  listWebhooks, updatePreferences, type Frequency, type Subscriber, type Webhook,
} from '../storage/subscriptions-repo.ts';
import { enqueue, notifyOutbox, suppressQueued } from '../mail/outbox.ts';
import { confirmUrl, manageUrl } from '../mail/compose.ts';
import { renderNotice } from '../mail/render.ts';
import { tokenSubject, verifyToken, type TokenPurpose } from '../mail/tokens.ts';
import { MAX_TOPICS, normaliseTopic, topicProblem } from '../mail/topics.ts';
import { guessWebhookKind, webhookUrlProblem, type WebhookKind } from '../mail/webhooks.ts';

export const FREQUENCIES: readonly Frequency[] = ['daily', 'weekly'];
export const NOTICE_GAP_MS = 60 * 60 * 1000;
export const DEFAULT_CONFIRM_TTL_HOURS = 48;
export const MAX_WEBHOOKS = 10;

export interface SubscriptionInput {
  email: string;
  frequency: Frequency;
  topics: string[];
}

/** CR or LF anywhere is a header-injection attempt (or garbage): refused outright, never trimmed away. */
function noLineBreaks(value: string, param: string): void {
  if (/[\r\n]/.test(value)) throw AppError.badRequest(`${param} must not contain line breaks (CR/LF)`, param);
  if (/[\x00-\x1f\x7f]/.test(value)) throw AppError.badRequest(`${param} must not contain control characters`, param);
}

export function parseEmail(raw: unknown): string {
  if (typeof raw !== 'string') throw AppError.badRequest('email must be a string', 'email');
  noLineBreaks(raw, 'email');
  const email = raw.trim();
  if (email.length === 0) throw AppError.badRequest('Enter your email address', 'email');
  if (email.length > 254 || !EMAIL_RE.test(email)) throw AppError.badRequest('Enter a valid email address, like name@example.org', 'email');
  return email.toLowerCase();
}

export function parseFrequency(raw: unknown): Frequency {
  if (raw === undefined || raw === null || raw === '') return 'daily';
  if (typeof raw !== 'string') throw AppError.badRequest('frequency must be "daily" or "weekly"', 'frequency');
  noLineBreaks(raw, 'frequency');
  if (!(FREQUENCIES as readonly string[]).includes(raw)) throw AppError.badRequest('frequency must be "daily" or "weekly"', 'frequency');
  return raw as Frequency;
}

/** Topics as a JSON array of strings; duplicates (ignoring case and spacing) collapse. */
export function parseTopics(raw: unknown): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw AppError.badRequest('topics must be an array of strings', 'topics');
  if (raw.length > MAX_TOPICS) throw AppError.badRequest(`At most ${MAX_TOPICS} topics`, 'topics');
  const out = new Map<string, string>();
  for (const t of raw) {
    if (typeof t !== 'string') throw AppError.badRequest('topics must be an array of strings', 'topics');
    noLineBreaks(t, 'topics');
    const topic = normaliseTopic(t);
    if (!topic) throw AppError.badRequest('Topics must not be empty', 'topics');
    const problem = topicProblem(topic);
    if (problem) throw AppError.badRequest(problem, 'topics');
    if (!out.has(topic.toLowerCase())) out.set(topic.toLowerCase(), topic);
  }
  return [...out.values()];
}

/** The form's textarea: one topic per line, blank lines ignored. */
export function topicsFromLines(text: string): string[] {
  if (text.length > MAX_TOPICS * 210) throw AppError.badRequest(`At most ${MAX_TOPICS} topics of up to 200 characters`, 'topics');
  return text.split(/\r\n|\n|\r/).map((l) => l.trim()).filter(Boolean);
}

/** The JSON body of `POST /api/subscriptions`: unknown fields are refused, not ignored. */
export function parseSubscriptionInput(body: unknown): SubscriptionInput {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw AppError.badRequest('Expected a JSON object {email, frequency, topics}');
  const extra = Object.keys(body).filter((k) => !['email', 'frequency', 'topics'].includes(k));
  if (extra.length) throw AppError.badRequest(`Unknown field${extra.length > 1 ? 's' : ''}: ${extra.join(', ')}`, extra[0]);
  const b = body as Record<string, unknown>;
  return { email: parseEmail(b.email), frequency: parseFrequency(b.frequency), topics: parseTopics(b.topics) };
}

async function queueConfirmation(db: Db, config: Config, sub: Subscriber, now: Date, ttlHours: number): Promise<void> {
  const url = confirmUrl(config, sub, new Date(now.getTime() + ttlHours * 3_600_000));
  const what = `the ${sub.frequency} digest of ${config.siteName}`;
  const subject = `Confirm your subscription to ${config.siteName}`;
  const topics = sub.topics.length ? [`Your topics: ${sub.topics.join(' · ')}`] : [];
  const body = renderNotice(config.siteName, config.baseUrl, {
    subject,
    paragraphs: [`Someone, hopefully you, asked to receive ${what} at ${sub.email}.`, ...topics, 'Confirm to start receiving it:'],
    button: { label: 'Confirm my subscription', url },
    after: [`This link expires in ${ttlHours} hours. If you did not ask for this, ignore this email: nothing will be sent.`],
  });
  await enqueue(db, [{ key: `confirm:${sub.id}:${now.getTime()}`, kind: 'confirm', subscriberId: sub.id, recipient: sub.email, subject, payload: body }], now);
}

async function queueAlreadySubscribed(db: Db, config: Config, sub: Subscriber, now: Date): Promise<void> {
  const subject = `Your ${config.siteName} subscription`;
  const body = renderNotice(config.siteName, config.baseUrl, {
    subject,
    paragraphs: [`Someone, hopefully you, asked to subscribe ${sub.email} to ${config.siteName}. This address is already subscribed (${sub.frequency}).`, 'To change the frequency or your topics, or to unsubscribe:'],
    button: { label: 'Manage my subscription', url: manageUrl(config, sub) },
    after: ['If you did not ask for this, ignore this email: nothing changes.'],
  });
  await enqueue(db, [{ key: `notice:${sub.id}:${now.getTime()}`, kind: 'notice', subscriberId: sub.id, recipient: sub.email, subject, payload: body }], now);
}

/** Handles a validated request; callers answer 202 whatever happened here. */
export async function requestSubscription(db: Db, config: Config, input: SubscriptionInput, now: Date, ttlHours = DEFAULT_CONFIRM_TTL_HOURS): Promise<void> {
  const iso = now.toISOString();
  let sub = await findSubscriberByEmail(db, input.email);
  if (!sub) sub = await insertPendingSubscriber(db, { ...input, now: iso });
  if (sub.status === 'bounced') return;
  if (sub.status === 'confirmed') {
    if (await claimNoticeSlot(db, sub.id, now, NOTICE_GAP_MS)) await queueAlreadySubscribed(db, config, sub, now);
  } else {
    // New, pending or unsubscribed: the latest request's preferences wait for confirmation.
    await updatePreferences(db, sub.id, { frequency: input.frequency, topics: input.topics, status: 'pending' }, iso);
    if (await claimNoticeSlot(db, sub.id, now, NOTICE_GAP_MS)) await queueConfirmation(db, config, { ...sub, ...input, status: 'pending' }, now, ttlHours);
  }
  notifyOutbox();
}

/** The subscriber a signed link names; 400 for anything forged, altered, or meant for another purpose. */
export async function subscriberForToken(db: Db, config: Config, purpose: TokenPurpose, token: string | undefined, now: Date): Promise<Subscriber> {
  const id = tokenSubject(token);
  const sub = id === null ? null : await findSubscriber(db, id);
  const check = sub ? verifyToken(config.secret, purpose, token!, sub.id, sub.email, now) : 'invalid';
  if (check === 'expired') throw AppError.badRequest('This confirmation link has expired. Subscribe again to get a new one.', 'token');
  if (check !== 'ok' || !sub) throw AppError.badRequest('This link is invalid: it may have been altered or cut short. Copy the whole link from the email.', 'token');
  return sub;
}

/** Opens a confirmation link. A signed-in user whose account has this address may manage it from then on. */
export async function confirmSubscription(db: Db, config: Config, token: string | undefined, now: Date, viewer: User | null): Promise<Subscriber> {
  const sub = await subscriberForToken(db, config, 'confirm', token, now);
  if (sub.status === 'bounced') throw new AppError('conflict', 'Mail to this address bounced, so it cannot be subscribed. Subscribe again once it can receive mail.');
  const userId = viewer && viewer.email.toLowerCase() === sub.email ? viewer.id : null;
  return (await confirmSubscriber(db, sub.id, now.toISOString(), userId))!;
}

export async function unsubscribe(db: Db, sub: Subscriber, now: Date): Promise<void> {
  if (sub.status === 'unsubscribed') return;
  await updatePreferences(db, sub.id, { status: 'unsubscribed' }, now.toISOString());
  await suppressQueued(db, sub.id, 'unsubscribed');
}

/**
 * Back on, from a signed link or a linked account: owning the link proves the address, so no
 * second confirmation. A bounced address gets another chance (its count starts again).
 */
export async function resubscribe(db: Db, sub: Subscriber, now: Date, frequency?: Frequency): Promise<Subscriber> {
  await updatePreferences(db, sub.id, { status: 'confirmed', ...(frequency ? { frequency } : {}) }, now.toISOString());
  return (await findSubscriber(db, sub.id))!;
}

export async function updateSubscription(db: Db, sub: Subscriber, prefs: { frequency: Frequency; topics: string[] }, now: Date): Promise<Subscriber> {
  await updatePreferences(db, sub.id, prefs, now.toISOString());
  return (await findSubscriber(db, sub.id))!;
}

export async function linkToUser(db: Db, sub: Subscriber, user: User | null): Promise<void> {
  if (user && sub.userId === null && user.email.toLowerCase() === sub.email) await linkUser(db, sub.id, user.id);
}

export async function addWebhook(db: Db, sub: Subscriber, input: { topic: unknown; url: unknown; kind?: unknown }, now: Date): Promise<Webhook> {
  if (typeof input.url !== 'string') throw AppError.badRequest('Enter the webhook URL', 'url');
  noLineBreaks(input.url, 'url');
  const url = input.url.trim();
  const problem = webhookUrlProblem(url);
  if (problem) throw AppError.badRequest(problem, 'url');
  const [topic] = parseTopics([input.topic]);
  const kinds: WebhookKind[] = ['slack', 'discord', 'json'];
  const kind = input.kind === undefined || input.kind === '' || input.kind === 'auto' ? guessWebhookKind(url) : (input.kind as WebhookKind);
  if (!kinds.includes(kind)) throw AppError.badRequest('kind must be slack, discord or json', 'kind');
  const existing = await listWebhooks(db, { subscriberId: sub.id });
  if (existing.length >= MAX_WEBHOOKS) throw AppError.badRequest(`At most ${MAX_WEBHOOKS} webhooks per subscription`, 'url');
  const id = await insertWebhook(db, { subscriberId: sub.id, topic, url, kind, now: now.toISOString() });
  return (await listWebhooks(db, { subscriberId: sub.id })).find((w) => w.id === id)!;
}

export async function removeWebhook(db: Db, sub: Subscriber, id: number): Promise<void> {
  if (!(await deleteWebhook(db, id, sub.id))) throw AppError.notFound('No such webhook on this subscription');
}

export { listWebhooks };
