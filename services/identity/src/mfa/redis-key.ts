import { AppError } from '@crm/errors';

/**
 * User ids become part of Redis keys. They are opaque ids (UUIDs), never e-mails or names, and this is checked:
 * a key must not hold personal data (docs/crypto-shredding.md: no plaintext PII at rest) and a `:` or space must not let one user's key collide with another's.
 */
const USER_ID = /^[A-Za-z0-9_-]{1,128}$/;

export function assertUserId(userId: string): void {
  if (!USER_ID.test(userId)) throw new AppError('MFA_USER_ID_INVALID', 'internal', 'a user id is 1–128 characters of [A-Za-z0-9_-]');
}
