import { randomBytes } from 'node:crypto';
import { checkPassword, type PasswordContext, type PasswordPolicy } from './password-policy/index.js';

/**
 * A password identity chooses for someone (the first administrator's, an administrator's reset): 24 random base64url
 * characters (144 bits from the CSPRNG) between fixed ones that meet the default composition rules, checked against
 * the policy and the holder's context. Its holder must change it at the next sign-in.
 */
export function generatePassword(policy: PasswordPolicy, context: PasswordContext): string {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const candidate = `Pw!${randomBytes(18).toString('base64url')}7a`;
    if (checkPassword(policy, candidate, context).length === 0) return candidate;
  }
  throw new Error('could not generate a password the password policy accepts');
}
