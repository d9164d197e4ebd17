import { KEY_VAULT_SERVICES, serviceRole } from '@crm/config';
import { grantsToRole, type DatabaseMigrations, type SchemaMigration } from '@crm/postgres';
import { KEY_VAULT_DATABASE } from './key-vault.database.js';

/**
 * Baseline of the key vault's tables, in the vault database's `public` schema. Idempotent (IF NOT EXISTS / OR
 * REPLACE), so a vault created by the boot-time DDL of earlier versions takes it unchanged.
 *
 * - `kek_epochs`: one row per KEK epoch; `retired_at` is set once no DEK is wrapped under it and its KEK is
 *   about to be destroyed. The current epoch is the highest one not retired.
 * - `data_keys`: wrapped DEKs. (subject_id, key_version) is unique so concurrent creators collide and exactly one
 *   key survives (INSERT … ON CONFLICT DO NOTHING, then re-read).
 * - `erasure_ledger`: one row per erased subject, append-only. It lives here, outside every service's restorable
 *   database, so it can be re-applied after a restore and a restore can never bring a person back. `key_id` lets
 *   a reader distinguish "shredded" from "never existed" after the key rows are gone.
 */
const KEY_VAULT_BASELINE = `
CREATE TABLE IF NOT EXISTS kek_epochs (
  epoch      integer PRIMARY KEY CHECK (epoch > 0),
  created_at timestamptz NOT NULL,
  retired_at timestamptz
);

CREATE TABLE IF NOT EXISTS data_keys (
  subject_id  text NOT NULL,
  key_id      text NOT NULL,
  key_version integer NOT NULL CHECK (key_version > 0),
  kek_epoch   integer NOT NULL REFERENCES kek_epochs (epoch),
  wrapped_dek bytea NOT NULL CHECK (octet_length(wrapped_dek) = 48),
  wrap_nonce  bytea NOT NULL CHECK (octet_length(wrap_nonce) = 12),
  created_at  timestamptz NOT NULL,
  PRIMARY KEY (key_id, key_version),
  UNIQUE (subject_id, key_version)
);
CREATE INDEX IF NOT EXISTS data_keys_kek_epoch_idx ON data_keys (kek_epoch);

CREATE TABLE IF NOT EXISTS erasure_ledger (
  subject_id   text PRIMARY KEY,
  key_id       text,
  erased_at    timestamptz NOT NULL,
  reason       text NOT NULL,
  key_versions integer[] NOT NULL
);
CREATE INDEX IF NOT EXISTS erasure_ledger_key_id_idx ON erasure_ledger (key_id);

CREATE OR REPLACE FUNCTION erasure_ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'erasure_ledger is append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation';
END
$$;
-- Row triggers catch UPDATE and DELETE; TRUNCATE bypasses them, so it gets its own statement trigger.
CREATE OR REPLACE TRIGGER erasure_ledger_append_only
  BEFORE UPDATE OR DELETE ON erasure_ledger FOR EACH ROW EXECUTE FUNCTION erasure_ledger_refuse_change();
CREATE OR REPLACE TRIGGER erasure_ledger_no_truncate
  BEFORE TRUNCATE ON erasure_ledger FOR EACH STATEMENT EXECUTE FUNCTION erasure_ledger_refuse_change();
`;

/** The key vault's migrations (docs/migrations.md); never edit an applied one, append a new one. */
export const keyVaultMigrations: readonly SchemaMigration[] = [
  { name: 'KeyVaultBaseline1795996800002', up: () => KEY_VAULT_BASELINE },
  { name: 'KeyVaultCreateDataKeys1796083200002', up: () => createDataKeysSql(), down: () => 'DROP FUNCTION create_data_keys' },
];

/** Raised by `create_data_keys`: a subject of the batch is erased (→ KEY_SHREDDED). */
export const SHREDDED_SQLSTATE = 'CRK10';
/** Raised by `create_data_keys`: the epoch the caller wrapped under is no longer the current one (wrap again). */
export const EPOCH_MOVED_SQLSTATE = 'CRK11';

/**
 * `create_data_keys`: the first DEKs of a batch of subjects in one statement. It takes the rotation lock shared and
 * the subjects' locks (sorted), then — each statement of a volatile function reading a fresh snapshot, so a shred or
 * a retirement that committed while it waited is seen — refuses erased subjects and a stale epoch, inserts the keys
 * where none exists, and returns each subject's current key row.
 */
function createDataKeysSql(): string {
  return `
CREATE OR REPLACE FUNCTION create_data_keys(
  p_subjects text[], p_key_ids text[], p_epoch integer, p_wrapped bytea[], p_nonces bytea[], p_at timestamptz
) RETURNS TABLE (subject_id text, key_id text, key_version integer, kek_epoch integer, wrapped_dek bytea, wrap_nonce bytea)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
  v_current integer;
BEGIN
  PERFORM pg_advisory_xact_lock_shared(${LOCKS.rotation}, 0);
  PERFORM pg_advisory_xact_lock(${LOCKS.subject}, hashtext(sorted.s)) FROM (SELECT s FROM unnest(p_subjects) AS s ORDER BY s) AS sorted;
  IF EXISTS (SELECT 1 FROM erasure_ledger e WHERE e.subject_id = ANY (p_subjects)) THEN
    RAISE EXCEPTION 'a subject was shredded' USING ERRCODE = '${SHREDDED_SQLSTATE}';
  END IF;
  SELECT max(k.epoch) INTO v_current FROM kek_epochs k WHERE k.retired_at IS NULL;
  IF v_current IS DISTINCT FROM p_epoch THEN
    RAISE EXCEPTION 'the current KEK epoch moved' USING ERRCODE = '${EPOCH_MOVED_SQLSTATE}';
  END IF;
  INSERT INTO data_keys (subject_id, key_id, key_version, kek_epoch, wrapped_dek, wrap_nonce, created_at)
  SELECT t.s, t.k, 1, p_epoch, t.w, t.n, p_at FROM unnest(p_subjects, p_key_ids, p_wrapped, p_nonces) AS t(s, k, w, n)
  ON CONFLICT DO NOTHING;
  RETURN QUERY
    SELECT DISTINCT ON (d.subject_id) d.subject_id, d.key_id, d.key_version, d.kek_epoch, d.wrapped_dek, d.wrap_nonce
    FROM data_keys d WHERE d.subject_id = ANY (p_subjects) ORDER BY d.subject_id, d.key_version DESC;
END $$;
`;
}

/**
 * The key vault database and its migrations; `database` is for tests' scratch vaults. The services that seal
 * personal data read and write its rows as their own roles; its schema, functions and the erasure ledger's
 * append-only triggers stay its owner's (docs/security.md).
 */
export function keyVaultDatabase(database: string = KEY_VAULT_DATABASE): DatabaseMigrations {
  return { database, schema: 'public', migrations: keyVaultMigrations, createDatabase: true, grants: keyVaultGrants };
}

function keyVaultGrants(schema: string): string {
  return KEY_VAULT_SERVICES.map((service) => {
    const role = serviceRole(service);
    return grantsToRole(role, [
      `GRANT USAGE ON SCHEMA "${schema}" TO ${role}`,
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "${schema}" TO ${role}`,
      `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "${schema}" TO ${role}`,
      `REVOKE INSERT, UPDATE, DELETE ON "${schema}".crm_migrations FROM ${role}`,
    ]);
  }).join('\n');
}

/**
 * Advisory lock classes (two-int form, scoped to the key vault database). Subject locks serialise creating a
 * subject's first DEK against shredding it; the rotation lock lets DEK creation (shared) exclude the final
 * re-wrap-and-retire step of a rotation (exclusive), so no DEK can be wrapped under a KEK that is being destroyed.
 */
export const LOCKS = {
  subject: 0x4b5602,
  rotation: 0x4b5603,
  rotationRun: 0x4b5604,
} as const;
