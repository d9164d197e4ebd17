// Identity's routes: sign-in, enrolment, own account, staff accounts and roles.
import { z } from 'zod';
import type { BodyContract } from './openapi.js';

const isoInstant = z.iso.datetime().meta({ description: 'An instant, ISO 8601 in UTC' });
const roleName = z.string().max(40);

/** The tokens a completed sign-in or a refresh answers. */
const tokens = z.object({
  accessToken: z.string().meta({ description: 'A short-lived JWT (ES256) for `Authorization: Bearer`' }),
  refreshToken: z.string().meta({ description: 'Single use: `POST /v1/auth/refresh` exchanges it; presenting it again ends the session' }),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int().min(0).meta({ description: "Seconds until the access token's expiry" }),
});

/** A staff account as the API shows it (e-mail and name opened from their sealed fields, never a credential). */
const account = z.object({
  id: z.uuid(),
  email: z.string(),
  displayName: z.string(),
  roles: z.array(z.string()),
  mfaEnrolled: z.boolean().meta({ description: 'A second factor (TOTP) is enrolled' }),
  disabled: z.boolean().meta({ description: 'Disabled by an administrator: cannot sign in or refresh' }),
  createdAt: isoInstant,
});

/** A role with the permissions it grants. */
const role = z.object({
  name: z.string(),
  permissions: z.array(z.string()),
  mfaRequired: z.boolean().meta({ description: 'Its holders must sign in with a second factor (always so for a role holding a sensitive permission)' }),
});

/** `GET /.well-known/jwks.json`: no body; the public halves of the keys that sign access tokens (RFC 7517). */
export const signingKeys = {
  response: z.object({
    keys: z.array(
      z.object({
        kty: z.literal('EC'),
        crv: z.literal('P-256'),
        x: z.string(),
        y: z.string(),
        kid: z.string().meta({ description: "The key's RFC 7638 thumbprint, named in the `kid` header of the tokens it signs" }),
        alg: z.literal('ES256'),
        use: z.literal('sig'),
      }),
    ),
  }),
} satisfies BodyContract;

/** `POST /v1/auth/login`: e-mail and password; tokens, or the next step of the sign-in with its challenge token. */
export const login = {
  request: z.object({ email: z.string().min(3).max(320), password: z.string().min(1).max(1024) }).strict(),
  response: z.union([
    tokens,
    z.object({
      mfaRequired: z.literal(true),
      mfaToken: z.string().meta({ description: 'The challenge token `POST /v1/auth/mfa` takes with the code' }),
    }),
    z.object({
      mfaEnrollmentRequired: z.literal(true),
      enrollmentToken: z.string().meta({ description: 'The challenge token `POST /v1/me/mfa/totp` and its confirmation take' }),
    }),
    z.object({
      passwordChangeRequired: z.literal(true),
      passwordChangeToken: z.string().meta({ description: 'The challenge token `POST /v1/me/password` takes' }),
    }),
  ]),
} satisfies BodyContract;

/** `POST /v1/auth/mfa`: the second factor of a sign-in (a TOTP code or a recovery code); tokens. */
export const completeMfa = {
  request: z
    .object({
      mfaToken: z.string().min(1).max(4096).meta({ description: 'The challenge token sign-in answered with `mfaRequired`' }),
      code: z.string().min(1).max(64).meta({ description: 'Six digits from the authenticator, or one of the recovery codes' }),
    })
    .strict(),
  response: tokens,
} satisfies BodyContract;

/** `POST /v1/auth/refresh`: a refresh token; new tokens (the old refresh token dies). */
export const refresh = {
  request: z.object({ refreshToken: z.string().min(1).max(512) }).strict(),
  response: tokens,
} satisfies BodyContract;

/** `POST /v1/auth/logout`: no body; 204. */
export const logout = {} satisfies BodyContract;

/** `POST /v1/me/mfa/totp`: the enrolment token, or (with an access token) the current password; a new TOTP secret. */
export const startTotpEnrolment = {
  request: z
    .object({
      enrollmentToken: z
        .string()
        .min(1)
        .max(4096)
        .optional()
        .meta({ description: 'The challenge token sign-in answered with `mfaEnrollmentRequired`; without it, an access token and `currentPassword`' }),
      currentPassword: z.string().min(1).max(1024).optional().meta({ description: 'Required when enrolling with an access token' }),
    })
    .strict(),
  response: z.object({
    secret: z.string().meta({ description: 'The TOTP secret, base32' }),
    otpauthUrl: z.string().meta({ description: 'The `otpauth://totp/…` URI an authenticator app reads' }),
    qrCode: z.string().meta({ description: 'The URI as a QR code, an SVG document' }),
  }),
} satisfies BodyContract;

/** `POST /v1/me/mfa/totp/confirm`: a code from the authenticator; the recovery codes, shown once. */
export const confirmTotpEnrolment = {
  request: z
    .object({
      code: z.string().min(1).max(16).meta({ description: 'Six digits from the authenticator' }),
      enrollmentToken: z.string().min(1).max(4096).optional().meta({ description: 'The enrolment token, unless signed in with an access token' }),
    })
    .strict(),
  response: z.object({
    recoveryCodes: z.array(z.string()).meta({ description: 'Single-use codes standing in for the authenticator, shown this once' }),
  }),
} satisfies BodyContract;

/** `POST /v1/me/password`: current and new password (and the password-change token of a sign-in); 204. */
export const changePassword = {
  request: z
    .object({
      currentPassword: z.string().min(1).max(1024),
      newPassword: z.string().min(1).max(1024).meta({ description: 'Must satisfy the password policy and differ from the recent ones' }),
      passwordChangeToken: z
        .string()
        .min(1)
        .max(4096)
        .optional()
        .meta({ description: 'The challenge token sign-in answered with `passwordChangeRequired`; without it, an access token' }),
    })
    .strict(),
} satisfies BodyContract;

/** `GET /v1/me`: no body; your own account. */
export const viewOwnAccount = { response: account } satisfies BodyContract;

/** `GET /v1/me/sessions`: no body; your live sessions. */
export const listOwnSessions = {
  response: z.array(
    z.object({
      id: z.uuid(),
      current: z.boolean().meta({ description: 'The session of the token that asked' }),
      startedAt: isoInstant,
      lastActiveAt: isoInstant,
      expiresAt: isoInstant,
      methods: z.array(z.string()).meta({ description: 'How its holder authenticated (RFC 8176 `amr`): `pwd`, `otp`, `rec`' }),
      secondFactorAt: isoInstant.nullable().meta({ description: 'When the second factor was last confirmed (null: never in this session)' }),
    }),
  ),
} satisfies BodyContract;

/** `DELETE /v1/me/sessions/:id`: no body; 204. */
export const endOwnSession = {} satisfies BodyContract;

/** `GET /v1/users`: no body; a page of staff accounts, by id. */
export const listAccounts = { response: z.array(account) } satisfies BodyContract;

/** `POST /v1/users`: a new staff account; the account. */
export const registerAccount = {
  request: z
    .object({
      email: z.email().max(320),
      displayName: z.string().trim().min(1).max(200),
      password: z.string().min(1).max(1024).meta({ description: 'Must satisfy the password policy; its holder changes it at the first sign-in' }),
      roles: z.array(roleName).min(1).max(20),
      birthDate: z.iso.date().optional().meta({ description: 'Only checked against the password (personal data must not be in it); not stored' }),
    })
    .strict(),
  response: account,
} satisfies BodyContract;

/** `GET /v1/users/:id`: no body; the account. */
export const viewAccount = { response: account } satisfies BodyContract;

/** `DELETE /v1/users/:id`: no body; 204. */
export const deleteAccount = {} satisfies BodyContract;

/** `DELETE /v1/users/:id/mfa`: no body; 204. */
export const resetMfa = {} satisfies BodyContract;

/** `POST /v1/users/:id/password-reset`: no body; the generated password, shown once. */
export const resetPassword = {
  response: z.object({
    oneTimePassword: z.string().meta({ description: 'The generated password, shown this once: it opens only the forced change at the next sign-in' }),
    sessionsEnded: z.number().int().min(0).meta({ description: 'Sessions of the account that ended' }),
  }),
} satisfies BodyContract;

/** `DELETE /v1/users/:id/lock`: no body; 204. */
export const unlockAccount = {} satisfies BodyContract;

/** `POST /v1/users/:id/disable`: no body; the account, disabled. */
export const disableAccount = { response: account } satisfies BodyContract;

/** `POST /v1/users/:id/enable`: no body; the account, enabled. */
export const enableAccount = { response: account } satisfies BodyContract;

/** `DELETE /v1/users/:id/sessions`: no body; how many sessions ended. */
export const endSessionsOf = {
  response: z.object({ ended: z.number().int().min(0).meta({ description: 'Sessions of the account that ended' }) }),
} satisfies BodyContract;

/** `PUT /v1/users/:id/roles`: the account's roles, replacing its current ones; the account. */
export const assignRoles = {
  request: z.object({ roles: z.array(roleName).min(1).max(20) }).strict(),
  response: account,
} satisfies BodyContract;

/** `GET /v1/roles`: no body; the built-in and the custom roles. */
export const listRoles = { response: z.array(role) } satisfies BodyContract;

/** `POST /v1/roles`: a custom role; the role as defined. */
export const defineRole = {
  request: z
    .object({
      name: z.string().max(40).meta({ description: '2–40 lower-case letters, digits and dashes; not a built-in role' }),
      permissions: z.array(z.string().max(40)).min(1).max(50).meta({ description: 'From the permission catalogue (`GET /v1/permissions`)' }),
      mfaRequired: z.boolean().default(false).meta({ description: 'Whether holders must sign in with a second factor (forced for a sensitive permission)' }),
    })
    .strict(),
  response: role,
} satisfies BodyContract;

/** `GET /v1/permissions`: no body; the permission catalogue. */
export const listPermissions = { response: z.array(z.string()) } satisfies BodyContract;
