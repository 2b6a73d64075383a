/**
 * Signed links in emails: `<subscriber id>.<expiry>.<signature>`, where the signature is an
 * HMAC-SHA256 (instance secret) over purpose, subscriber id, address and expiry. Nothing is stored:
 * the address is looked up by id and must match what was signed, so a token cannot be replayed for
 * another address (or after the row's address changed), nor for another purpose (a confirmation
 * token does not unsubscribe), and changing any character breaks the signature.
 */
import crypto from 'node:crypto';

export type TokenPurpose = 'confirm' | 'unsubscribe' | 'manage';

/** 24 bytes of HMAC (192 bits): forging is out of reach and links stay short. */
const SIG_BYTES = 24;
const TOKEN_RE = /^([1-9][0-9]{0,11})\.([0-9a-z]{1,10})\.([A-Za-z0-9_-]{32})$/;

function signature(secret: string, purpose: TokenPurpose, id: number, email: string, exp: string): string {
  return crypto
    .createHmac('sha256', secret)
    .update(`dailypapers-mail|${purpose}|${id}|${email.toLowerCase()}|${exp}`)
    .digest()
    .subarray(0, SIG_BYTES)
    .toString('base64url');
}

/**
 * `expiresAt` null: the link never expires (unsubscribe and manage links in sent emails must keep
 * working for as long as the email sits in an inbox).
 */
export function signToken(secret: string, purpose: TokenPurpose, id: number, email: string, expiresAt: Date | null): string {
  const exp = expiresAt ? Math.ceil(expiresAt.getTime() / 1000).toString(36) : '0';
  return `${id}.${exp}.${signature(secret, purpose, id, email, exp)}`;
}

/** The subscriber id a token names, if it is well-formed; check it with `verifyToken` once loaded. */
export function tokenSubject(token: string | undefined | null): number | null {
  const m = TOKEN_RE.exec(token ?? '');
  return m ? Number(m[1]) : null;
}

export type TokenCheck = 'ok' | 'invalid' | 'expired';

export function verifyToken(secret: string, purpose: TokenPurpose, token: string, id: number, email: string, now: Date): TokenCheck {
  const m = TOKEN_RE.exec(token);
  if (!m || Number(m[1]) !== id) return 'invalid';
  const expected = Buffer.from(signature(secret, purpose, id, email, m[2]));
  const given = Buffer.from(m[3]);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return 'invalid';
  // Expiry is checked after the signature, so that "expired" is only ever said of a genuine link.
  const exp = parseInt(m[2], 36);
  if (exp !== 0 && exp * 1000 < now.getTime()) return 'expired';
  return 'ok';
}
