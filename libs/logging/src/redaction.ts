/**
 * Keys whose values never reach a log line, at any depth pino can address. Personal data should not be handed
 * to the logger at all; this list is the safety net for the day someone logs a request body or an error
 * object carrying one. Credentials and tokens are redacted for the same reason.
 */
const SENSITIVE_KEYS = [
  'password',
  'newPassword',
  'currentPassword',
  'secret',
  'token',
  'accessToken',
  'refreshToken',
  'mfaToken',
  'enrollmentToken',
  'otp',
  'totp',
  'recoveryCode',
  'recoveryCodes',
  'otpauthUrl',
  'authorization',
  'cookie',
  'set-cookie',
  'email',
  'phone',
  'fullName',
  'displayName',
  'firstName',
  'lastName',
  'givenName',
  'familyName',
  'birthDate',
  'address',
  'street',
  'note',
  'notes',
  'description',
  'body',
  'plaintext',
] as const;

export const REDACTED = '[redacted]';

// Error codes (`code`) and error names stay visible on purpose: they are the stable, PII-free part of a failure.
export const redactPaths: string[] = SENSITIVE_KEYS.flatMap((key) => {
  const isIdentifier = /^[A-Za-z_$][\w$]*$/.test(key);
  const access = isIdentifier ? `.${key}` : `["${key}"]`;
  return [...(isIdentifier ? [key] : []), `*${access}`, `*.*${access}`, `req.headers${access}`];
});
