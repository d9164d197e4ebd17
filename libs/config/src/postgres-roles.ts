import { join } from 'node:path';

/**
 * The platform's Postgres roles (least privilege, docs/security.md). deploy/local/postgres.sh creates them with the
 * same names; keep the two in step.
 *
 * - `crm` is the administrator: it runs the migrations (as each database's owner, `SET ROLE`), the tests and the
 *   restore drills. No service runs as it, except the backup service for restores and drills.
 * - Every service with a database has a role of its own, `crm_<service>`, which owns that database and nothing
 *   else; CONNECT is revoked from PUBLIC, so no other service's role can even connect to it.
 * - The audit database is owned by `crm_audit_owner`, which runs its migrations; the audit service runs as
 *   `crm_audit`, which may only read and insert (and update its own bookkeeping), never rewrite the trail or drop its
 *   append-only triggers.
 * - The key vault database is owned by `crm_keyvault`; the services that seal personal data (identity, contacts,
 *   consent) may connect and read and write its rows, never change its schema or triggers.
 */
export const POSTGRES_ADMIN_ROLE = 'crm';

/** The databases the platform's services own, each with the role that owns it (and runs its migrations). */
export const DATABASE_OWNERS: Readonly<Record<string, string>> = {
  identity: 'crm_identity',
  contacts: 'crm_contacts',
  consent: 'crm_consent',
  audit: 'crm_audit_owner',
  backup: 'crm_backup',
  keyvault: 'crm_keyvault',
};

/** The services that connect to the key vault (their runtime roles may read and write its rows). */
export const KEY_VAULT_SERVICES: readonly string[] = ['identity', 'contacts', 'consent'];

/** The role the platform's migrations run as in `database` (its owner); undefined for other databases (tests'). */
export function databaseOwnerRole(database: string): string | undefined {
  return Object.hasOwn(DATABASE_OWNERS, database) ? DATABASE_OWNERS[database] : undefined;
}

/** The role a service runs as: `crm_<service>`. */
export function serviceRole(service: string): string {
  return `crm_${service}`;
}

/** Where deploy/local/infra.sh keeps a role's generated password: `<state>/secrets/postgres-<role>.password`. */
export function postgresPasswordFile(stateDir: string, role: string): string {
  return join(stateDir, 'secrets', `postgres-${role}.password`);
}
