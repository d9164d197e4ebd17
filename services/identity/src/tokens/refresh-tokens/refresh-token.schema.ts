import { quoteIdent } from '@crm/eventstore';
import type { SchemaMigration } from '@crm/postgres';

/**
 * One row per refresh token ever issued, keyed by its SHA-256: the database never holds a usable token, so a leaked
 * backup or a read-only SQL injection yields nothing to replay. A token's row stays after it is exchanged (`used_at`)
 * — that is what makes reuse detectable — until the whole session has expired.
 */
export const refreshTokenMigrations: readonly SchemaMigration[] = [
  { name: 'IdentityRefreshTokensBaseline1795996800101', up: (schema) => refreshTokenBaselineSql(schema) },
];

/** Baseline (the former boot-time DDL, idempotent); never edit it, append a migration to `refreshTokenMigrations`. */
function refreshTokenBaselineSql(schema: string): string {
  const s = quoteIdent(schema);
  return `
CREATE SCHEMA IF NOT EXISTS ${s};

CREATE TABLE IF NOT EXISTS ${s}.refresh_tokens (
  token_hash          bytea       PRIMARY KEY CHECK (octet_length(token_hash) = 32),
  session_id          uuid        NOT NULL,
  user_id             text        NOT NULL,
  parent_hash         bytea,
  amr                 text[]      NOT NULL,
  mfa_at              timestamptz,
  created_at          timestamptz NOT NULL,
  expires_at          timestamptz NOT NULL,
  session_expires_at  timestamptz NOT NULL,
  used_at             timestamptz,
  revoked_at          timestamptz,
  revoked_reason      text,
  CHECK (expires_at <= session_expires_at),
  CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
);
-- A token has at most one successor: even a bug in the locking could not fork a session into two live chains.
CREATE UNIQUE INDEX IF NOT EXISTS refresh_tokens_one_successor ON ${s}.refresh_tokens (parent_hash) WHERE parent_hash IS NOT NULL;
CREATE INDEX IF NOT EXISTS refresh_tokens_session ON ${s}.refresh_tokens (session_id);
CREATE INDEX IF NOT EXISTS refresh_tokens_user_live ON ${s}.refresh_tokens (user_id) WHERE revoked_at IS NULL;
CREATE INDEX IF NOT EXISTS refresh_tokens_session_expiry ON ${s}.refresh_tokens (session_expires_at);
`;
}
