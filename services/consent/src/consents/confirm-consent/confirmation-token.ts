import { createHash, randomBytes } from 'node:crypto';

/**
 * A double opt-in's confirmation token: base64url of the contact id's 16 bytes followed by 32 random bytes (64
 * characters). The contact id in it lets the public confirmation find the contact's stream without a lookup table;
 * the random part is what makes it unguessable. Only its SHA-256 is ever stored.
 */
export interface ConfirmationToken {
  token: string;
  tokenSha256: string;
}

const TOKEN = /^[A-Za-z0-9_-]{64}$/;
const RANDOM_BYTES = 32;

export const tokenSha256 = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export function newConfirmationToken(contactId: string): ConfirmationToken {
  const token = Buffer.concat([Buffer.from(contactId.replaceAll('-', ''), 'hex'), randomBytes(RANDOM_BYTES)]).toString('base64url');
  return { token, tokenSha256: tokenSha256(token) };
}

/** The contact a well-formed token names, or undefined for anything else. */
export function contactOfToken(token: string): string | undefined {
  if (!TOKEN.test(token)) return undefined;
  const hex = Buffer.from(token, 'base64url').subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** How long a confirmation token confirms: `CRM_CONSENT_CONFIRMATION_TTL_HOURS`, default 72 (three days), 1–720. */
export const CONSENT_CONFIRMATION_TTL_HOURS = Symbol('CONSENT_CONFIRMATION_TTL_HOURS');

export function confirmationTtlHours(env: NodeJS.ProcessEnv = process.env): number {
  const hours = Number(env.CRM_CONSENT_CONFIRMATION_TTL_HOURS ?? 72);
  if (!Number.isInteger(hours) || hours < 1 || hours > 720) throw new Error('CRM_CONSENT_CONFIRMATION_TTL_HOURS must be a whole number of hours, 1 to 720');
  return hours;
}
