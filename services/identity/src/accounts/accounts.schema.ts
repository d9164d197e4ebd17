import { quoteIdent } from '@crm/eventstore';
import type { SchemaMigration } from '@crm/postgres';

/**
 * Identity's read models and credential store. `accounts` holds sealed personal data plus a blind index of the
 * e-mail for login lookups; `credentials` holds what must never travel in an event (password hash and history,
 * the sealed TOTP secret, recovery-code hashes). Both are rebuilt-free: they are written in the same transaction
 * as the account's events.
 */
export const accountsMigrations: readonly SchemaMigration[] = [
  { name: 'IdentityAccountsBaseline1795996800100', up: (schema) => accountsBaselineSql(schema) },
  // Staff account lifecycle (issue 15, item 7): an administrator disables and enables accounts.
  {
    name: 'IdentityAccountsDisabled1796774400000',
    up: (schema) => `ALTER TABLE ${quoteIdent(schema)}.accounts ADD COLUMN IF NOT EXISTS disabled_at timestamptz;`,
  },
  // A password someone else chose (an administrator, the first start) is changed by its holder at the first sign-in
  // (issue 15, item 7). New accounts are registered with the flag set; for the older ones, see the next migration.
  {
    name: 'IdentityCredentialsPasswordChangeRequired1796860800000',
    up: (schema) => `ALTER TABLE ${quoteIdent(schema)}.credentials ADD COLUMN IF NOT EXISTS password_change_required boolean NOT NULL DEFAULT false;`,
  },
  // ...but an account registered before it has a password its administrator (or the first start) chose all the same,
  // unless its holder has changed it since. The account's stream says which: required unless the last event that set
  // its password is the holder's own `PasswordChanged` (not `UserRegistered`, nor an administrator's `PasswordReset`).
  // Irreversible: which rows it set cannot be told from the others afterwards.
  {
    name: 'IdentityCredentialsPasswordNeverChangedByHolder1796947200000',
    up: (schema) => passwordNeverChangedByHolderSql(schema),
  },
  // The one-time password of an administrator's reset expires (issue 15, ASVS 5.0 6.4.1): when the reset was decided,
  // null for any other password. Older resets get none, so they do not expire: the reset time is not in the row.
  {
    name: 'IdentityCredentialsOneTimePasswordIssuedAt1797033600000',
    up: (schema) => `ALTER TABLE ${quoteIdent(schema)}.credentials ADD COLUMN IF NOT EXISTS one_time_password_issued_at timestamptz;`,
  },
];

/** Event types that set an account's password, as the event store records them. */
const PASSWORD_SET_BY_OTHERS = ['crm.identity.v1.UserRegistered', 'crm.identity.v1.PasswordReset'];
const PASSWORD_SET_BY_HOLDER = 'crm.identity.v1.PasswordChanged';

function passwordNeverChangedByHolderSql(schema: string): string {
  const s = quoteIdent(schema);
  const setters = [...PASSWORD_SET_BY_OTHERS, PASSWORD_SET_BY_HOLDER].map((type) => `'${type}'`).join(', ');
  return `
UPDATE ${s}.credentials AS c SET password_change_required = true
WHERE NOT c.password_change_required
  AND (
    SELECT e.event_type FROM ${s}.events AS e
    WHERE e.stream_id = 'user-' || c.user_id::text AND e.event_type IN (${setters})
    ORDER BY e.stream_version DESC LIMIT 1
  ) IS DISTINCT FROM '${PASSWORD_SET_BY_HOLDER}';`;
}

/** Baseline (the former boot-time DDL, idempotent); never edit it, append a migration to `accountsMigrations`. */
function accountsBaselineSql(schema: string): string {
  const s = quoteIdent(schema);
  return `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.accounts (
  user_id        uuid PRIMARY KEY,
  email_index    text NOT NULL UNIQUE,
  email_sealed   bytea NOT NULL,
  name_sealed    bytea NOT NULL,
  roles          text[] NOT NULL,
  mfa_enrolled   boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS ${s}.credentials (
  user_id              uuid PRIMARY KEY REFERENCES ${s}.accounts (user_id),
  password_hash        text NOT NULL,
  password_changed_at  timestamptz NOT NULL,
  password_history     text[] NOT NULL DEFAULT '{}',
  totp_secret_sealed   bytea,
  totp_pending_sealed  bytea,
  recovery_code_hashes text[] NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS ${s}.roles (
  name        text PRIMARY KEY,
  permissions text[] NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE ${s}.roles ADD COLUMN IF NOT EXISTS mfa_required boolean NOT NULL DEFAULT false;`;
}
