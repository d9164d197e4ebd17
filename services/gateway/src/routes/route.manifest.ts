import { auditApi, backupApi, consentApi, contactsApi, identityApi, type BodyContract } from '@crm/api-contract';
import type { DownstreamService } from '../downstream/downstream.config.js';

/**
 * How a route is guarded, stated once. The gateway applies exactly this (through the platform's global guard), and
 * `route-manifest.int.spec.ts` proves it equals what the owning service declares on the same route, so the edge
 * and the service can never drift apart.
 */
export type RouteGuard =
  | { readonly public: true }
  | {
      /** All of these (an empty list: any signed-in caller). */
      readonly permissions: readonly string[];
      /** Additionally, at least one of these. */
      readonly anyPermission?: readonly [string, ...string[]];
      /** A recent second factor (`@RequireStepUp()`). */
      readonly stepUp?: true;
    };

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface GatewayRoute {
  readonly method: HttpMethod;
  /** Express-style template, the same on both sides of the gateway: `/v1/contacts/:id`. */
  readonly path: `/${string}`;
  /** The only origin this route may be forwarded to. */
  readonly service: DownstreamService;
  readonly guard: RouteGuard;
  /** OpenAPI summary. */
  readonly summary: string;
  /**
   * The status the owning service answers on success, when not the method's default (POST 201, otherwise 200), for
   * the OpenAPI document; `route-manifest.int.spec.ts` proves it equals the service's.
   */
  readonly status?: 200 | 202 | 204;
  /** Another success status the route answers with the same body schema (a consent recorded: 201, or 202 awaiting a double opt-in). */
  readonly alsoStatus?: 202;
  /** Query parameters, for the OpenAPI document (the service validates them). */
  readonly query?: readonly QueryParameter[];
  /** Error statuses beyond those the route's guard, parameters and method imply (`errorStatuses`), for the OpenAPI document. */
  readonly errors?: readonly number[];
  /** Media types of the answer when not only JSON (chosen by `Accept` or a query parameter). */
  readonly produces?: readonly [string, ...string[]];
  /**
   * The request and success bodies, for the OpenAPI document: the very zod schemas the owning service validates with
   * (`@crm/api-contract`). Every route states one; `route-manifest.int.spec.ts` lists those that do not yet.
   */
  readonly body?: BodyContract;
  /** The stable error codes the owning service answers, by status, for the OpenAPI document (beyond the guard's own). */
  readonly errorCodes?: Readonly<Partial<Record<number, readonly string[]>>>;
}

export interface QueryParameter {
  readonly name: string;
  readonly values?: readonly [string, ...string[]];
  readonly required?: true;
  readonly description: string;
}

const PUBLIC: RouteGuard = { public: true };
const signedIn: RouteGuard = { permissions: [] };
const needs = (...permissions: string[]): RouteGuard => ({ permissions });
const needsFresh = (...permissions: string[]): RouteGuard => ({ permissions, stepUp: true });
const needsAny = (...anyPermission: [string, ...string[]]): RouteGuard => ({ permissions: [], anyPermission });

/**
 * Every route the gateway serves, in matching order (a literal segment before a parameter in the same place).
 * Nothing else is reachable through the gateway: a request that matches no entry is a 404 here and never leaves.
 */
export const ROUTES: readonly GatewayRoute[] = [
  // identity — the open doors of sign-in; enrolment and own-password accept challenge tokens, checked by identity.
  {
    method: 'GET',
    path: '/.well-known/jwks.json',
    service: 'identity',
    guard: PUBLIC,
    summary: 'Public keys that sign access tokens (rotated; cache for 5 minutes)',
    body: identityApi.signingKeys,
  },
  {
    method: 'POST',
    path: '/v1/auth/login',
    service: 'identity',
    guard: PUBLIC,
    errors: [401, 403],
    status: 200,
    summary:
      'Sign in: `{ email, password }` → tokens, `{ mfaRequired, mfaToken }`, `{ mfaEnrollmentRequired, enrollmentToken }` or, until a password someone else set is changed, `{ passwordChangeRequired, passwordChangeToken }`; the one-time password of a reset past `CRM_ONE_TIME_PASSWORD_TTL_SECONDS` (a day): `401 ONE_TIME_PASSWORD_EXPIRED` (a new reset is needed)',
    body: identityApi.login,
    errorCodes: {
      401: ['LOGIN_FAILED', 'ONE_TIME_PASSWORD_EXPIRED'],
      403: ['LOGIN_HARD_LOCKED'],
      429: ['LOGIN_LOCKED', 'LOGIN_RATE_LIMITED'],
    },
  },
  {
    method: 'POST',
    path: '/v1/auth/mfa',
    service: 'identity',
    guard: PUBLIC,
    errors: [401, 403],
    status: 200,
    summary: 'Second factor: `{ mfaToken, code }` (TOTP or recovery code) → `{ accessToken, refreshToken }`',
    body: identityApi.completeMfa,
    errorCodes: {
      401: ['CHALLENGE_INVALID', 'MFA_CODE_INVALID', 'MFA_CODE_REPLAYED'],
      403: ['MFA_LOCKED'],
      429: ['MFA_RATE_LIMITED'],
    },
  },
  {
    method: 'POST',
    path: '/v1/auth/refresh',
    service: 'identity',
    guard: PUBLIC,
    errors: [401],
    status: 200,
    summary: 'Rotate tokens: `{ refreshToken }`; presenting a used refresh token ends the session',
    body: identityApi.refresh,
    errorCodes: {
      401: ['REFRESH_TOKEN_INVALID', 'REFRESH_TOKEN_EXPIRED', 'REFRESH_TOKEN_REUSED'],
    },
  },
  {
    method: 'POST',
    path: '/v1/auth/logout',
    service: 'identity',
    guard: signedIn,
    status: 204,
    summary: 'End the current session',
    body: identityApi.logout,
  },
  {
    method: 'POST',
    path: '/v1/me/mfa/totp',
    service: 'identity',
    guard: PUBLIC,
    errors: [401, 403],
    status: 200,
    summary: 'Start TOTP enrolment (enrolment token or access token) → `{ secret, otpauthUrl, qrCode }`',
    body: identityApi.startTotpEnrolment,
    errorCodes: {
      400: ['PASSWORD_CONFIRMATION_REQUIRED', 'PASSWORD_CURRENT_INVALID'],
      401: ['CHALLENGE_INVALID'],
      403: ['LOGIN_HARD_LOCKED'],
      409: ['MFA_ALREADY_ENROLLED'],
      429: ['LOGIN_LOCKED', 'LOGIN_RATE_LIMITED'],
    },
  },
  {
    method: 'POST',
    path: '/v1/me/mfa/totp/confirm',
    service: 'identity',
    guard: PUBLIC,
    errors: [401],
    status: 200,
    summary: 'Confirm TOTP enrolment: `{ code }` → `{ recoveryCodes }` (shown once)',
    body: identityApi.confirmTotpEnrolment,
    errorCodes: {
      401: ['CHALLENGE_INVALID', 'MFA_CODE_INVALID', 'MFA_CODE_REPLAYED'],
      409: ['MFA_ENROLMENT_NOT_STARTED', 'MFA_ALREADY_ENROLLED'],
    },
  },
  {
    method: 'POST',
    path: '/v1/me/password',
    service: 'identity',
    guard: PUBLIC,
    errors: [401, 403],
    status: 204,
    summary:
      'Change your password: `{ currentPassword, newPassword }` with an access token, or `{ …, passwordChangeToken }` at the first sign-in (required for every account); every session ends',
    body: identityApi.changePassword,
    errorCodes: {
      400: ['PASSWORD_POLICY_VIOLATED', 'PASSWORD_CURRENT_INVALID'],
      401: ['CHALLENGE_INVALID'],
      403: ['LOGIN_HARD_LOCKED'],
      429: ['LOGIN_LOCKED', 'LOGIN_RATE_LIMITED'],
    },
  },
  {
    method: 'GET',
    path: '/v1/me',
    service: 'identity',
    guard: signedIn,
    summary: 'Your own account (bound to the token, not to an id)',
    body: identityApi.viewOwnAccount,
  },
  {
    method: 'GET',
    path: '/v1/me/sessions',
    service: 'identity',
    guard: signedIn,
    summary: 'Your live sessions (the current one marked)',
    body: identityApi.listOwnSessions,
  },
  {
    method: 'DELETE',
    path: '/v1/me/sessions/:id',
    service: 'identity',
    guard: signedIn,
    status: 204,
    summary: 'End one of your sessions',
    body: identityApi.endOwnSession,
    errorCodes: {
      404: ['SESSION_NOT_FOUND'],
    },
  },
  {
    method: 'GET',
    path: '/v1/users',
    service: 'identity',
    guard: needs('users:manage'),
    summary: 'List staff accounts',
    body: identityApi.listAccounts,
  },
  {
    method: 'POST',
    path: '/v1/users',
    service: 'identity',
    guard: needsFresh('users:manage', 'roles:manage'),
    summary: 'Create a staff account (it grants roles: needs roles:manage too, and a fresh second factor)',
    body: identityApi.registerAccount,
    errorCodes: {
      400: ['ROLE_UNKNOWN', 'PASSWORD_POLICY_VIOLATED'],
      409: ['USER_EMAIL_TAKEN'],
    },
  },
  {
    method: 'GET',
    path: '/v1/users/:id',
    service: 'identity',
    guard: needs('users:manage'),
    summary: 'One staff account, by id',
    body: identityApi.viewAccount,
    errorCodes: {
      404: ['USER_NOT_FOUND'],
    },
  },
  {
    method: 'DELETE',
    path: '/v1/users/:id',
    service: 'identity',
    guard: needsFresh('users:manage'),
    status: 204,
    summary:
      'Delete a staff account (never your own: `403 ACCOUNT_SELF_DELETE`; nor one holding a permission you lack: `403 ACCOUNT_DELETE_EXCEEDS_PERMISSIONS`, `details.permissions`): every session ends, their personal data is erased by destroying their key; needs a fresh second factor',
    body: identityApi.deleteAccount,
    errorCodes: {
      403: ['ACCOUNT_SELF_DELETE', 'ACCOUNT_DELETE_EXCEEDS_PERMISSIONS', 'FORBIDDEN', 'STEP_UP_REQUIRED', 'MFA_REQUIRED'],
      404: ['USER_NOT_FOUND'],
    },
  },
  {
    method: 'DELETE',
    path: '/v1/users/:id/mfa',
    service: 'identity',
    guard: needsFresh('users:manage'),
    status: 204,
    summary:
      "Reset an account's second factor (needs a fresh second factor): it must enrol again. Never your own: `403 MFA_SELF_RESET` (use `/v1/me/mfa/…`); nor an account holding a permission you lack: `403 MFA_RESET_EXCEEDS_PERMISSIONS` (`details.permissions`); unknown account: `404 USER_NOT_FOUND`",
    body: identityApi.resetMfa,
    errorCodes: { 403: ['MFA_SELF_RESET', 'MFA_RESET_EXCEEDS_PERMISSIONS', 'FORBIDDEN', 'STEP_UP_REQUIRED', 'MFA_REQUIRED'], 404: ['USER_NOT_FOUND'] },
  },
  {
    method: 'POST',
    path: '/v1/users/:id/password-reset',
    service: 'identity',
    guard: needsFresh('users:manage'),
    status: 200,
    summary:
      "Reset someone's password (needs a fresh second factor): no body → `{ oneTimePassword, sessionsEnded }`, the generated password shown once (`Cache-Control: no-store`); its holder must change it at the next sign-in (sign-in answers `{ passwordChangeRequired, passwordChangeToken }` only) and every session of the account ends. Never your own: `403 PASSWORD_SELF_RESET` (use `POST /v1/me/password`); nor an account holding a permission you lack: `403 PASSWORD_RESET_EXCEEDS_PERMISSIONS` (`details.permissions`); unknown account: `404 USER_NOT_FOUND`",
    body: identityApi.resetPassword,
    errorCodes: {
      403: ['PASSWORD_SELF_RESET', 'PASSWORD_RESET_EXCEEDS_PERMISSIONS', 'FORBIDDEN', 'STEP_UP_REQUIRED', 'MFA_REQUIRED'],
      404: ['USER_NOT_FOUND'],
    },
  },
  {
    method: 'DELETE',
    path: '/v1/users/:id/lock',
    service: 'identity',
    guard: needsFresh('users:manage'),
    status: 204,
    summary:
      "Lift an account's hard locks: 100 failed second-factor codes or 100 consecutive failed sign-ins (needs a fresh second factor); not of an account holding a permission you lack: `403 ACCOUNT_UNLOCK_EXCEEDS_PERMISSIONS` (`details.permissions`)",
    body: identityApi.unlockAccount,
    errorCodes: { 403: ['ACCOUNT_UNLOCK_EXCEEDS_PERMISSIONS', 'FORBIDDEN', 'STEP_UP_REQUIRED', 'MFA_REQUIRED'], 404: ['USER_NOT_FOUND'] },
  },
  {
    method: 'POST',
    path: '/v1/users/:id/disable',
    service: 'identity',
    guard: needsFresh('users:manage'),
    status: 200,
    summary: 'Disable a staff account (never your own): every session ends, sign-in and refresh are refused; needs a fresh second factor',
    body: identityApi.disableAccount,
    errorCodes: {
      403: ['ACCOUNT_SELF_DISABLE', 'FORBIDDEN', 'STEP_UP_REQUIRED', 'MFA_REQUIRED'],
      404: ['USER_NOT_FOUND'],
    },
  },
  {
    method: 'POST',
    path: '/v1/users/:id/enable',
    service: 'identity',
    guard: needsFresh('users:manage'),
    status: 200,
    summary: 'Enable a disabled staff account again; needs a fresh second factor',
    body: identityApi.enableAccount,
    errorCodes: {
      404: ['USER_NOT_FOUND'],
    },
  },
  {
    method: 'DELETE',
    path: '/v1/users/:id/sessions',
    service: 'identity',
    guard: needsFresh('users:manage'),
    summary: 'End every session of an account (needs a fresh second factor) → `{ ended }`',
    body: identityApi.endSessionsOf,
  },
  {
    method: 'PUT',
    path: '/v1/users/:id/roles',
    service: 'identity',
    guard: needsFresh('roles:manage'),
    summary: "Replace an account's roles (never your own; needs a fresh second factor)",
    body: identityApi.assignRoles,
    errorCodes: {
      400: ['ROLE_UNKNOWN'],
      403: ['ROLE_SELF_GRANT', 'FORBIDDEN', 'STEP_UP_REQUIRED', 'MFA_REQUIRED'],
      404: ['USER_NOT_FOUND'],
    },
  },
  {
    method: 'GET',
    path: '/v1/roles',
    service: 'identity',
    guard: needs('roles:manage'),
    summary: 'Built-in and custom roles',
    body: identityApi.listRoles,
  },
  {
    method: 'POST',
    path: '/v1/roles',
    service: 'identity',
    guard: needs('roles:manage'),
    summary: 'Create a custom role from the permission catalogue',
    body: identityApi.defineRole,
    errorCodes: {
      400: ['ROLE_NAME_INVALID', 'ROLE_PERMISSIONS_INVALID'],
      409: ['ROLE_EXISTS'],
    },
  },
  {
    method: 'GET',
    path: '/v1/permissions',
    service: 'identity',
    guard: needs('roles:manage'),
    summary: 'The permission catalogue',
    body: identityApi.listPermissions,
  },

  // contacts — every request names its processing purpose (`purpose` in the body, or `?purpose=` on reads).
  {
    method: 'POST',
    path: '/v1/contacts/export',
    service: 'contacts',
    guard: needsFresh('contacts:export'),
    status: 200,
    summary: 'Export a selection: `{ purpose, format: json|csv, contactIds? }`; needs contacts:export and a fresh second factor',
    produces: ['application/json', 'text/csv'],
    body: contactsApi.exportContacts,
    errorCodes: { 400: ['EXPORT_TOO_LARGE', 'LEGAL_BASIS_NOT_APPLICABLE'], 403: ['PURPOSE_NOT_PERMITTED'], 429: ['EXPORT_RATE_LIMITED'] },
  },
  {
    method: 'POST',
    path: '/v1/contacts/import',
    service: 'contacts',
    guard: needs('contacts:write'),
    status: 202,
    summary: 'Bulk import: `{ purpose, format: csv|jsonl, content }` → 202 with the import report; the rows are created by a resumable job',
    body: contactsApi.importContacts,
    errorCodes: {
      400: ['IMPORT_MALFORMED', 'IMPORT_EMPTY', 'IMPORT_TOO_LARGE', 'IMPORT_COLUMN_UNKNOWN', 'IMPORT_COLUMN_DUPLICATE', 'SEAL_PLAINTEXT_INVALID'],
      403: ['PURPOSE_NOT_PERMITTED'],
      503: ['IMPORT_QUEUE_UNAVAILABLE'],
    },
  },
  {
    method: 'GET',
    path: '/v1/contacts/imports/:id',
    service: 'contacts',
    guard: needs('contacts:write'),
    summary: "An import's state (queued, running, completed, failed), progress and refused rows",
    body: contactsApi.importReportOf,
    errorCodes: { 404: ['IMPORT_NOT_FOUND'] },
  },
  {
    method: 'POST',
    path: '/v1/contacts',
    service: 'contacts',
    guard: needs('contacts:write'),
    summary: 'Create a contact: `{ purpose, legalBasis?, data }`',
    body: contactsApi.createContact,
    errorCodes: {
      400: ['CONTACT_FIELD_UNKNOWN', 'CONTACT_FIELD_INVALID', 'CONTACT_SPECIAL_CATEGORY_REFUSED', 'LEGAL_BASIS_NOT_APPLICABLE'],
      403: ['PURPOSE_NOT_PERMITTED'],
    },
  },
  {
    method: 'GET',
    path: '/v1/contacts',
    service: 'contacts',
    guard: needs('contacts:read'),
    summary: 'Search by exact `email`, `phone`, `name` tokens, or list; `?purpose=` required; paged by `after`',
    body: contactsApi.searchContacts,
    errorCodes: { 400: ['CONTACT_SEARCH_INVALID', 'LEGAL_BASIS_NOT_APPLICABLE'], 403: ['PURPOSE_NOT_PERMITTED'] },
  },
  {
    method: 'GET',
    path: '/v1/contacts/:id',
    service: 'contacts',
    guard: needs('contacts:read'),
    summary: 'One contact minimised to `?purpose=`; ETag = version',
    body: contactsApi.viewContact,
    errorCodes: {
      400: ['LEGAL_BASIS_NOT_APPLICABLE'],
      403: ['PURPOSE_NOT_PERMITTED', 'CONSENT_REQUIRED', 'OBJECTION_RECORDED', 'CONTACT_PROCESSING_RESTRICTED'],
      404: ['CONTACT_NOT_FOUND'],
      410: ['CONTACT_ERASED'],
    },
  },
  {
    method: 'PATCH',
    path: '/v1/contacts/:id',
    service: 'contacts',
    guard: needs('contacts:write'),
    summary: 'Rectify: `{ purpose, changes }`; If-Match for optimistic concurrency (409 on conflict)',
    body: contactsApi.rectifyContact,
    errorCodes: {
      400: ['CONTACT_FIELD_UNKNOWN', 'CONTACT_FIELD_INVALID', 'CONTACT_SPECIAL_CATEGORY_REFUSED', 'IF_MATCH_INVALID'],
      403: ['PURPOSE_NOT_PERMITTED'],
      404: ['CONTACT_NOT_FOUND'],
      410: ['CONTACT_ERASED'],
      409: ['CONTACT_RESTRICTED'],
    },
  },
  {
    method: 'GET',
    path: '/v1/contacts/:id/transactions',
    service: 'contacts',
    guard: needs('contacts:read'),
    summary: "A contact's purchases, newest first, minimised to `?purpose=`; paged by `before`",
    body: contactsApi.listPurchases,
    errorCodes: {
      400: ['TRANSACTION_CURSOR_INVALID', 'LEGAL_BASIS_NOT_APPLICABLE'],
      403: ['PURPOSE_NOT_PERMITTED', 'CONSENT_REQUIRED', 'OBJECTION_RECORDED', 'CONTACT_PROCESSING_RESTRICTED'],
      404: ['CONTACT_NOT_FOUND'],
      410: ['CONTACT_ERASED'],
    },
  },
  {
    method: 'POST',
    path: '/v1/contacts/:id/transactions',
    service: 'contacts',
    guard: needs('contacts:write'),
    summary: 'Record a transaction',
    body: contactsApi.addPurchase,
    errorCodes: {
      400: ['CONTACT_FIELD_UNKNOWN', 'CONTACT_FIELD_INVALID'],
      403: ['PURPOSE_NOT_PERMITTED'],
      404: ['CONTACT_NOT_FOUND'],
      410: ['CONTACT_ERASED'],
      409: ['TRANSACTION_DUPLICATE', 'CONTACT_RESTRICTED'],
    },
  },
  {
    method: 'POST',
    path: '/v1/contacts/:id/restriction',
    service: 'contacts',
    guard: needsAny('contacts:write', 'requests:manage'),
    status: 200,
    summary: "Restrict processing (Art. 18): `{ reason }` (contacts:write, or the DPO's requests:manage)",
    body: contactsApi.restrictProcessing,
    errorCodes: { 404: ['CONTACT_NOT_FOUND'], 410: ['CONTACT_ERASED'] },
  },
  {
    method: 'DELETE',
    path: '/v1/contacts/:id/restriction',
    service: 'contacts',
    guard: needs('contacts:write'),
    summary: 'Lift a restriction',
    body: contactsApi.liftRestriction,
    errorCodes: { 404: ['CONTACT_NOT_FOUND'], 410: ['CONTACT_ERASED'] },
  },
  {
    method: 'POST',
    path: '/v1/contacts/:id/erasure',
    service: 'contacts',
    guard: needsFresh('subjects:erase'),
    status: 200,
    summary: 'Erase a contact (Art. 17) by destroying its key; needs subjects:erase and a fresh second factor',
    body: contactsApi.eraseContact,
    errorCodes: { 404: ['CONTACT_NOT_FOUND'] },
  },
  {
    method: 'GET',
    path: '/v1/contacts/:id/legal-hold',
    service: 'contacts',
    guard: needs('retention:read'),
    summary: "A contact's legal hold (404 LEGAL_HOLD_NOT_FOUND when it has none); needs retention:read",
    body: contactsApi.legalHoldOf,
    errorCodes: { 404: ['CONTACT_NOT_FOUND', 'LEGAL_HOLD_NOT_FOUND'], 410: ['CONTACT_ERASED'] },
  },
  {
    method: 'PUT',
    path: '/v1/contacts/:id/legal-hold',
    service: 'contacts',
    guard: needsFresh('retention:manage'),
    summary:
      'Put a contact on legal hold: `{ reference }` (a case reference); every retention policy is suspended for it; needs retention:manage and a fresh second factor',
    body: contactsApi.setLegalHold,
    errorCodes: { 400: ['LEGAL_HOLD_INVALID'], 404: ['CONTACT_NOT_FOUND'], 410: ['CONTACT_ERASED'] },
  },
  {
    method: 'DELETE',
    path: '/v1/contacts/:id/legal-hold',
    service: 'contacts',
    guard: needsFresh('retention:manage'),
    summary: "Lift a contact's legal hold; needs retention:manage and a fresh second factor",
    body: contactsApi.liftLegalHold,
    errorCodes: { 404: ['CONTACT_NOT_FOUND', 'LEGAL_HOLD_NOT_FOUND'], 410: ['CONTACT_ERASED'] },
  },

  // retention — policies per purpose and data category, the preview and the sweep (contacts; docs/retention.md).
  {
    method: 'GET',
    path: '/v1/retention/policy-drafts',
    service: 'contacts',
    guard: needs('retention:read'),
    summary: "Policies drafted from the register's approved activities that no policy implements yet; needs retention:read",
    body: contactsApi.policyDrafts,
  },
  {
    method: 'GET',
    path: '/v1/retention/policies',
    service: 'contacts',
    guard: needs('retention:read'),
    summary: 'The retention policies at their current versions',
    body: contactsApi.listPolicies,
  },
  {
    method: 'POST',
    path: '/v1/retention/policies',
    service: 'contacts',
    guard: needsFresh('retention:manage'),
    summary:
      'Create a retention policy: `{ name, purpose, category, kind: inactivity|consent-withdrawn|accounting-period, period (ISO 8601, P24M), action: crypto-shred|anonymise, activityId? }`; needs retention:manage and a fresh second factor',
    body: contactsApi.createPolicy,
    errorCodes: {
      400: ['RETENTION_POLICY_INVALID', 'RETENTION_PERIOD_INVALID', 'RETENTION_PURPOSE_UNKNOWN', 'RETENTION_CATEGORY_UNKNOWN', 'RETENTION_ACTIVITY_UNKNOWN'],
    },
  },
  {
    method: 'PUT',
    path: '/v1/retention/policies/:id',
    service: 'contacts',
    guard: needsFresh('retention:manage'),
    summary: 'Revise a retention policy: the whole policy and `expectedVersion`; needs retention:manage and a fresh second factor',
    body: contactsApi.revisePolicy,
    errorCodes: {
      400: ['RETENTION_POLICY_INVALID', 'RETENTION_PERIOD_INVALID', 'RETENTION_PURPOSE_UNKNOWN', 'RETENTION_CATEGORY_UNKNOWN', 'RETENTION_ACTIVITY_UNKNOWN'],
      404: ['RETENTION_POLICY_NOT_FOUND'],
      409: ['RETENTION_POLICY_VERSION_CONFLICT'],
    },
  },
  {
    method: 'GET',
    path: '/v1/retention/preview',
    service: 'contacts',
    guard: needs('retention:read'),
    summary: 'What a sweep would do now: per policy the count and sample contact ids, and how many a legal hold keeps; needs retention:read',
    body: contactsApi.retentionPreview,
  },
  {
    method: 'POST',
    path: '/v1/retention/sweeps',
    service: 'contacts',
    guard: needsFresh('retention:manage'),
    status: 202,
    summary: 'Queue a retention sweep now (409 RETENTION_SWEEP_RUNNING while one runs); needs retention:manage and a fresh second factor',
    body: contactsApi.startSweep,
    errorCodes: { 409: ['RETENTION_SWEEP_RUNNING'] },
  },
  {
    method: 'GET',
    path: '/v1/retention/sweeps/:id',
    service: 'contacts',
    guard: needs('retention:read'),
    summary: "A sweep's run: status, effects applied, contacts held, skips; needs retention:read",
    body: contactsApi.sweepRun,
    errorCodes: { 404: ['RETENTION_SWEEP_NOT_FOUND'] },
  },

  // consent — the purpose catalogue, and each contact's consents and objections (one stream per contact).
  {
    method: 'GET',
    path: '/v1/purposes',
    service: 'consent',
    guard: needs('consent:read'),
    summary: 'The purpose catalogue: each purpose with its lawful bases and objection rule, and the catalogue version',
    body: consentApi.listPurposes,
  },
  {
    method: 'GET',
    path: '/v1/contacts/:id/consents',
    service: 'consent',
    guard: needs('consent:read'),
    summary: "A contact's consents and objections per purpose, and their full history with evidence",
    body: consentApi.viewConsents,
    errorCodes: { 400: ['CONSENT_CONTACT_ID_INVALID'], 404: ['CONSENT_CONTACT_UNKNOWN'] },
  },
  {
    method: 'POST',
    path: '/v1/contacts/:id/consents',
    service: 'consent',
    guard: needs('consent:write'),
    summary:
      'Record consent given: `{ purpose, noticeVersion, channel, evidence: { kind, reference } }`; only for consent-based purposes. Marketing by e-mail is double opt-in: 202 with a single-use confirmation token to mail to the person',
    body: consentApi.giveConsent,
    alsoStatus: 202,
    errorCodes: {
      400: ['CONSENT_CONTACT_ID_INVALID', 'CONSENT_PURPOSE_UNKNOWN', 'CONSENT_BASIS_NOT_CONSENT', 'CONSENT_NOTICE_UNKNOWN', 'CONSENT_NOTICE_NOT_PUBLISHED'],
      404: ['CONSENT_CONTACT_UNKNOWN'],
      410: ['CONSENT_CONTACT_ERASED'],
    },
  },
  {
    method: 'POST',
    path: '/v1/consent-confirmations/:token',
    service: 'consent',
    guard: PUBLIC,
    status: 200,
    summary:
      'Confirm a double opt-in (no sign-in; the token mailed to the person): the consent asked for is given. A token confirms once (CONSENT_CONFIRMATION_USED) and expires (CONSENT_CONFIRMATION_EXPIRED)',
    body: consentApi.confirmConsent,
    errorCodes: { 404: ['CONSENT_CONFIRMATION_UNKNOWN'], 409: ['CONSENT_CONFIRMATION_USED'], 410: ['CONSENT_CONFIRMATION_EXPIRED', 'CONSENT_CONTACT_ERASED'] },
  },
  {
    method: 'POST',
    path: '/v1/contacts/:id/consents/:purpose/withdrawal',
    service: 'consent',
    guard: needs('consent:write'),
    status: 200,
    summary: 'Withdraw the consent in force for a purpose (Art. 7(3)); body optional: `{ channel }`',
    body: consentApi.withdrawConsent,
    errorCodes: {
      400: ['CONSENT_CONTACT_ID_INVALID', 'CONSENT_PURPOSE_UNKNOWN', 'CONSENT_BASIS_NOT_CONSENT'],
      404: ['CONSENT_CONTACT_UNKNOWN'],
      409: ['CONSENT_NOT_GIVEN'],
      410: ['CONSENT_CONTACT_ERASED'],
    },
  },
  {
    method: 'POST',
    path: '/v1/contacts/:id/objections',
    service: 'consent',
    guard: needs('consent:write'),
    summary: 'Record an objection (Art. 21): `{ purpose, channel? }`; only for purposes that may rest on legitimate interests',
    body: consentApi.recordObjection,
    errorCodes: {
      400: ['CONSENT_CONTACT_ID_INVALID', 'CONSENT_PURPOSE_UNKNOWN', 'OBJECTION_NOT_APPLICABLE'],
      404: ['CONSENT_CONTACT_UNKNOWN'],
      409: ['OBJECTION_ALREADY_RECORDED'],
      410: ['CONSENT_CONTACT_ERASED'],
    },
  },

  // consent — privacy notices: drafted and published by the DPO (one stream per language), read by anyone.
  {
    method: 'POST',
    path: '/v1/privacy-notices',
    service: 'consent',
    guard: needs('notices:publish'),
    summary:
      'Draft a privacy-notice version: `{ lang: pl|en, controller, dpoContact, retention, recipients, processors, rights }`; purposes and bases come from the catalogue',
    body: consentApi.draftNotice,
    errorCodes: { 400: ['NOTICE_LANGUAGE_UNSUPPORTED'] },
  },
  {
    method: 'GET',
    path: '/v1/privacy-notices/current',
    service: 'consent',
    guard: PUBLIC,
    errors: [404],
    summary: 'The privacy notice in force for `?lang=pl|en` (no sign-in): JSON, or a printable HTML page with Accept: text/html',
    query: [{ name: 'lang', values: ['pl', 'en'], required: true, description: 'The language of the notice' }],
    produces: ['application/json', 'text/html'],
    body: consentApi.readNotice,
    errorCodes: { 400: ['NOTICE_LANGUAGE_UNSUPPORTED'], 404: ['NOTICE_NOT_PUBLISHED_YET'] },
  },
  {
    method: 'GET',
    path: '/v1/privacy-notices/:version',
    service: 'consent',
    guard: PUBLIC,
    summary: 'A published privacy-notice version (`pl-2`), current or older (no sign-in): JSON, or printable HTML with Accept: text/html',
    produces: ['application/json', 'text/html'],
    body: consentApi.readNotice,
    errorCodes: { 404: ['NOTICE_VERSION_UNKNOWN'] },
  },
  {
    method: 'POST',
    path: '/v1/privacy-notices/:version/publication',
    service: 'consent',
    guard: needsFresh('notices:publish'),
    status: 200,
    summary: 'Publish a drafted privacy-notice version (immutable from then on, its content hash recorded); needs notices:publish and a fresh second factor',
    body: consentApi.publishNotice,
    errorCodes: { 404: ['NOTICE_VERSION_UNKNOWN'], 409: ['NOTICE_ALREADY_PUBLISHED'] },
  },

  // consent — the data-subject request desk (DPO: requests:manage; working a request needs a fresh second factor).
  {
    method: 'POST',
    path: '/v1/requests',
    service: 'consent',
    guard: needsFresh('requests:manage'),
    // The contact named in the body may be unknown to consent or erased.
    errors: [404, 410],
    summary:
      'File a data-subject request: `{ type: access|portability|rectification|erasure|restriction|objection, contactId, channel, channelReference?, receivedAt }`; due one calendar month after receipt; needs requests:manage and a fresh second factor',
    body: consentApi.fileRequest,
    errorCodes: { 400: ['REQUEST_CONTACT_ID_INVALID', 'REQUEST_RECEIVED_IN_FUTURE'], 404: ['REQUEST_CONTACT_UNKNOWN'], 410: ['REQUEST_CONTACT_ERASED'] },
  },
  {
    method: 'GET',
    path: '/v1/requests',
    service: 'consent',
    guard: needs('requests:manage'),
    summary: 'Data-subject requests by `?status=open|due-soon|overdue` (default open), soonest due first; needs requests:manage',
    query: [{ name: 'status', values: ['open', 'due-soon', 'overdue'], description: 'Which requests (default open)' }],
    body: consentApi.listRequests,
  },
  {
    method: 'GET',
    path: '/v1/requests/:id',
    service: 'consent',
    guard: needsFresh('requests:manage'),
    summary: 'One data-subject request with its history (evidence and reasons opened); needs requests:manage and a fresh second factor',
    body: consentApi.viewRequest,
    errorCodes: { 404: ['REQUEST_NOT_FOUND'] },
  },
  {
    method: 'POST',
    path: '/v1/requests/:id/verification',
    service: 'consent',
    guard: needsFresh('requests:manage'),
    status: 200,
    summary:
      "Record the requester's identity verification: `{ method, evidence }` (evidence sealed); needed before any work or disclosure; needs requests:manage and a fresh second factor",
    body: consentApi.verifyIdentity,
    errorCodes: { 404: ['REQUEST_NOT_FOUND'], 409: ['REQUEST_ALREADY_CLOSED', 'REQUEST_ALREADY_VERIFIED'], 410: ['REQUEST_CONTACT_ERASED'] },
  },
  {
    method: 'POST',
    path: '/v1/requests/:id/extension',
    service: 'consent',
    guard: needsFresh('requests:manage'),
    status: 200,
    summary:
      'Extend the period (Art. 12(3)): `{ months, reason }` (reason sealed); two further months at most in total, decided within the first month; needs requests:manage and a fresh second factor',
    body: consentApi.extendRequest,
    errorCodes: {
      404: ['REQUEST_NOT_FOUND'],
      409: ['REQUEST_ALREADY_CLOSED', 'REQUEST_EXTENSION_LIMIT', 'REQUEST_EXTENSION_TOO_LATE'],
      410: ['REQUEST_CONTACT_ERASED'],
    },
  },
  {
    method: 'POST',
    path: '/v1/requests/:id/start',
    service: 'consent',
    guard: needsFresh('requests:manage'),
    status: 200,
    summary: 'Start work on a verified request (in progress); needs requests:manage and a fresh second factor',
    body: consentApi.startRequest,
    errorCodes: {
      404: ['REQUEST_NOT_FOUND'],
      409: ['REQUEST_ALREADY_CLOSED', 'REQUEST_ALREADY_IN_PROGRESS', 'REQUEST_NOT_VERIFIED'],
      410: ['REQUEST_CONTACT_ERASED'],
    },
  },
  {
    method: 'POST',
    path: '/v1/requests/:id/completion',
    service: 'consent',
    guard: needsFresh('requests:manage'),
    status: 200,
    summary:
      'Complete a verified request, doing its work: access → sealed package (JSON, HTML), portability → JSON and CSV, erasure → the contact erased and a receipt, rectification → `changes`, restriction → `restrictionReason`, objection → `purpose`; needs requests:manage and a fresh second factor',
    body: consentApi.completeRequest,
    errorCodes: {
      400: [
        'REQUEST_OBJECTION_PURPOSE_REQUIRED',
        'REQUEST_PURPOSE_NOT_APPLICABLE',
        'REQUEST_CHANGES_REQUIRED',
        'REQUEST_RESTRICTION_REASON_REQUIRED',
        'REQUEST_WORK_NOT_APPLICABLE',
        'REQUEST_REFERENCE_NOT_APPLICABLE',
      ],
      404: ['REQUEST_NOT_FOUND', 'REQUEST_CONTACT_UNKNOWN'],
      409: ['REQUEST_ALREADY_CLOSED', 'REQUEST_NOT_VERIFIED'],
      410: ['REQUEST_CONTACT_ERASED'],
    },
  },
  {
    method: 'GET',
    path: '/v1/requests/:id/package',
    service: 'consent',
    guard: needsFresh('requests:manage'),
    summary:
      "Download a completed access (`?format=json|html`) or portability (`?format=json|csv`) request's package, until it expires; needs requests:manage and a fresh second factor",
    query: [{ name: 'format', values: ['json', 'html', 'csv'], description: 'The file (default json): access json|html, portability json|csv' }],
    produces: ['application/json', 'text/html', 'text/csv'],
    body: consentApi.downloadPackage,
    errorCodes: { 404: ['REQUEST_PACKAGE_NOT_FOUND'], 410: ['REQUEST_PACKAGE_EXPIRED', 'REQUEST_CONTACT_ERASED'] },
  },
  {
    method: 'GET',
    path: '/v1/requests/:id/receipt',
    service: 'consent',
    guard: needsFresh('requests:manage'),
    summary:
      "A completed erasure request's receipt: what was destroyed, the erasure-ledger entry, the events and the audit inclusion proof of the erasure; needs requests:manage and a fresh second factor",
    body: consentApi.viewReceipt,
    errorCodes: { 404: ['REQUEST_RECEIPT_NOT_FOUND'] },
  },
  {
    method: 'POST',
    path: '/v1/requests/:id/refusal',
    service: 'consent',
    guard: needsFresh('requests:manage'),
    status: 200,
    summary: 'Refuse an open request with the reason told to the person: `{ reason }` (sealed); needs requests:manage and a fresh second factor',
    body: consentApi.refuseRequest,
    errorCodes: { 404: ['REQUEST_NOT_FOUND'], 409: ['REQUEST_ALREADY_CLOSED'], 410: ['REQUEST_CONTACT_ERASED'] },
  },

  // audit — the DPO's trail and the Art. 30 register.
  {
    method: 'GET',
    path: '/v1/audit/public-key',
    service: 'audit',
    guard: PUBLIC,
    summary: 'The Ed25519 key that signs tree heads, and the log id (pin it out of band)',
    body: auditApi.publicKey,
  },
  {
    method: 'GET',
    path: '/v1/audit/tree-head',
    service: 'audit',
    guard: needs('audit:read'),
    summary: 'The latest signed tree head of the audit log (RFC 6962, Ed25519)',
    body: auditApi.latestTreeHead,
    errorCodes: { 503: ['AUDIT_TREE_HEAD_UNAVAILABLE'] },
  },
  {
    method: 'POST',
    path: '/v1/audit/tree-head',
    service: 'audit',
    guard: needs('audit:read'),
    status: 200,
    summary: 'Sign a tree head over everything recorded so far',
    body: auditApi.signTreeHead,
    errorCodes: { 503: ['AUDIT_LOG_INTEGRITY_FAILED'] },
  },
  {
    method: 'GET',
    path: '/v1/audit/entries',
    service: 'audit',
    guard: needs('audit:read'),
    summary: 'Audit entries by subjectId, actorId, action, purpose, from, to; keyset-paged (cursor)',
    body: auditApi.listEntries,
    errorCodes: { 400: ['AUDIT_CURSOR_INVALID'] },
  },
  {
    method: 'GET',
    path: '/v1/audit/entries/:id/proof',
    service: 'audit',
    guard: needs('audit:read'),
    summary: 'Inclusion proof of an entry against `treeSize` or the latest signed head',
    body: auditApi.inclusionProof,
    errorCodes: { 400: ['AUDIT_TREE_SIZE_INVALID', 'AUDIT_ENTRY_NOT_IN_TREE'], 404: ['AUDIT_ENTRY_NOT_FOUND'], 503: ['AUDIT_TREE_HEAD_UNAVAILABLE'] },
  },
  {
    method: 'GET',
    path: '/v1/audit/consistency',
    service: 'audit',
    guard: needs('audit:read'),
    summary: 'Consistency proof between tree sizes `from` and `to`',
    body: auditApi.consistencyProof,
    errorCodes: { 400: ['AUDIT_TREE_SIZE_INVALID'], 503: ['AUDIT_TREE_HEAD_UNAVAILABLE'] },
  },
  {
    method: 'GET',
    path: '/v1/audit/subjects/:id/report',
    service: 'audit',
    guard: needs('audit:read'),
    summary: "Everything that happened to a data subject's data: JSON, or HTML with `?format=html` / Accept: text/html",
    query: [{ name: 'format', values: ['json', 'html'], description: 'The form (default: JSON, or HTML when the Accept header prefers text/html)' }],
    produces: ['application/json', 'text/html'],
    body: auditApi.subjectReport,
  },
  {
    method: 'GET',
    path: '/v1/register/activities',
    service: 'audit',
    guard: needsAny('register:manage', 'audit:read'),
    summary: 'Processing activities with evidence (register:manage or audit:read)',
    body: auditApi.listActivities,
  },
  {
    method: 'POST',
    path: '/v1/register/activities',
    service: 'audit',
    guard: needs('register:manage'),
    summary: 'Declare a processing activity',
    body: auditApi.declareActivity,
    errorCodes: { 400: ['AUDIT_PROCESSOR_UNKNOWN'] },
  },
  {
    method: 'GET',
    path: '/v1/register/activities/:id',
    service: 'audit',
    guard: needsAny('register:manage', 'audit:read'),
    summary: 'One processing activity with evidence (register:manage or audit:read)',
    body: auditApi.activity,
    errorCodes: { 404: ['AUDIT_REGISTER_NOT_FOUND'] },
  },
  {
    method: 'PUT',
    path: '/v1/register/activities/:id',
    service: 'audit',
    guard: needs('register:manage'),
    summary: 'Revise a processing activity (`expectedVersion`; 409 when stale)',
    body: auditApi.reviseActivity,
    errorCodes: { 400: ['AUDIT_PROCESSOR_UNKNOWN'], 404: ['AUDIT_REGISTER_NOT_FOUND'], 409: ['AUDIT_REGISTER_VERSION_CONFLICT'] },
  },
  {
    method: 'POST',
    path: '/v1/register/activities/:id/approval',
    service: 'audit',
    guard: needs('register:manage'),
    status: 200,
    summary: "Approve the platform's draft activity as reviewed: `{ expectedVersion }` (409 when stale or not a draft)",
    body: auditApi.approveActivity,
    errorCodes: { 404: ['AUDIT_REGISTER_NOT_FOUND'], 409: ['AUDIT_REGISTER_VERSION_CONFLICT', 'AUDIT_REGISTER_ALREADY_APPROVED'] },
  },
  {
    method: 'GET',
    path: '/v1/register/activities/:id/versions',
    service: 'audit',
    guard: needsAny('register:manage', 'audit:read'),
    summary: 'Every version of a processing activity (register:manage or audit:read)',
    body: auditApi.activityVersions,
    errorCodes: { 404: ['AUDIT_REGISTER_NOT_FOUND'] },
  },
  {
    method: 'GET',
    path: '/v1/register/export',
    service: 'audit',
    guard: needsAny('register:manage', 'audit:read'),
    summary: 'The register with evidence and undeclared purposes, `format=json|csv|html` (register:manage or audit:read)',
    query: [{ name: 'format', values: ['json', 'csv', 'html'], description: 'The form (default json)' }],
    produces: ['application/json', 'text/csv', 'text/html'],
    body: auditApi.registerExport,
    errorCodes: { 400: ['AUDIT_FORMAT_UNSUPPORTED'] },
  },
  {
    method: 'GET',
    path: '/v1/processors',
    service: 'audit',
    guard: needsAny('register:manage', 'audit:read'),
    summary: 'Processors and sub-processors (register:manage or audit:read)',
    body: auditApi.listProcessors,
  },
  {
    method: 'POST',
    path: '/v1/processors',
    service: 'audit',
    guard: needs('register:manage'),
    summary: 'Add a processor or sub-processor',
    body: auditApi.registerProcessor,
  },
  {
    method: 'GET',
    path: '/v1/processors/:id',
    service: 'audit',
    guard: needsAny('register:manage', 'audit:read'),
    summary: 'One processor (register:manage or audit:read)',
    body: auditApi.processor,
    errorCodes: { 404: ['AUDIT_REGISTER_NOT_FOUND'] },
  },
  {
    method: 'PUT',
    path: '/v1/processors/:id',
    service: 'audit',
    guard: needs('register:manage'),
    summary: 'Revise a processor (`expectedVersion`; 409 when stale)',
    body: auditApi.reviseProcessor,
    errorCodes: { 404: ['AUDIT_REGISTER_NOT_FOUND'], 409: ['AUDIT_REGISTER_VERSION_CONFLICT'] },
  },

  // backup — what the backup cluster holds of the primary, the databases' snapshots, and restore drills.
  {
    method: 'GET',
    path: '/v1/backups/mirror',
    service: 'backup',
    guard: needs('backups:read'),
    summary: 'Per platform topic-partition: the primary end offset, how far the mirror has copied it to the backup cluster, and the lag',
    body: backupApi.mirrorStatus,
  },
  {
    method: 'GET',
    path: '/v1/backups',
    service: 'backup',
    guard: needs('backups:read'),
    summary: 'Snapshots (newest first), the mirror lag and the latest restore drills, for operators and DPOs',
    body: backupApi.backupsOverview,
  },
  {
    method: 'POST',
    path: '/v1/backups/snapshots',
    service: 'backup',
    guard: needsFresh('backups:manage'),
    status: 202,
    summary: 'Queue a snapshot of every database now (`type`: full, diff or auto); needs backups:manage and a fresh second factor',
    body: backupApi.takeSnapshot,
    errorCodes: {
      400: ['SNAPSHOT_TYPE_INVALID'],
    },
  },
  {
    method: 'GET',
    path: '/v1/backups/snapshots/:id',
    service: 'backup',
    guard: needs('backups:read'),
    summary: 'One snapshot run: queued, running, completed (label, sizes, verified, Kafka offsets) or failed (code)',
    body: backupApi.viewSnapshot,
    errorCodes: {
      404: ['SNAPSHOT_NOT_FOUND'],
    },
  },
  {
    method: 'POST',
    path: '/v1/backups/drills',
    service: 'backup',
    guard: needsFresh('backups:manage'),
    status: 202,
    summary: 'Queue a restore drill now: the latest snapshot restored into scratch and compared with live; needs backups:manage and a fresh second factor',
    body: backupApi.startDrill,
  },
  {
    method: 'GET',
    path: '/v1/backups/drills/:id',
    service: 'backup',
    guard: needs('backups:read'),
    summary: 'One restore drill: queued, running, passed or failed (the failed checks), with RTO, RPO and what was compared',
    body: backupApi.viewDrill,
    errorCodes: {
      404: ['DRILL_NOT_FOUND'],
    },
  },
];
