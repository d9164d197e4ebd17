import { quoteIdent } from '@crm/eventstore';
import type { SchemaMigration } from '@crm/postgres';

/**
 * Retention's state in the contacts schema, no personal data anywhere: the current version of each policy (its
 * history is the events of its stream), legal holds, the sweep's runs (one running at a time, with the cursor it
 * resumes from), the effects applied (one per policy version and contact: the idempotence key), and the anonymised
 * purchases an `anonymise` policy keeps (amount, currency, day, category, the policy: no contact, no transaction id).
 * Never edit an applied migration; append one.
 */
export const retentionMigrations: readonly SchemaMigration[] = [
  {
    name: 'ContactsRetention1796800000000',
    up: (schema) => {
      const s = quoteIdent(schema);
      return `
CREATE TABLE ${s}.retention_policies (
  policy_id   uuid PRIMARY KEY,
  version     int NOT NULL,
  document    jsonb NOT NULL,
  recorded_at timestamptz NOT NULL
);
CREATE TABLE ${s}.legal_holds (
  contact_id uuid PRIMARY KEY,
  reference  text NOT NULL,
  set_at     timestamptz NOT NULL
);
CREATE TABLE ${s}.retention_runs (
  run_id       uuid PRIMARY KEY,
  status       text NOT NULL CHECK (status IN ('running', 'completed')),
  started_at   timestamptz NOT NULL,
  heartbeat_at timestamptz NOT NULL,
  finished_at  timestamptz,
  cursor       uuid,
  applied      int NOT NULL DEFAULT 0,
  held         int NOT NULL DEFAULT 0,
  skipped      int NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX retention_runs_one_running ON ${s}.retention_runs ((true)) WHERE status = 'running';
CREATE TABLE ${s}.retention_applied (
  policy_id      uuid NOT NULL,
  policy_version int NOT NULL,
  contact_id     uuid NOT NULL,
  run_id         uuid NOT NULL,
  action         text NOT NULL,
  applied_at     timestamptz NOT NULL,
  PRIMARY KEY (policy_id, policy_version, contact_id)
);
CREATE INDEX retention_applied_by_contact ON ${s}.retention_applied (contact_id);
CREATE TABLE ${s}.anonymised_purchases (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  policy_id      uuid NOT NULL,
  policy_version int NOT NULL,
  category       text NOT NULL,
  amount_cents   bigint NOT NULL,
  currency       text NOT NULL,
  recorded_on    date NOT NULL
);`;
    },
    down: (schema) => {
      const s = quoteIdent(schema);
      return `DROP TABLE ${s}.anonymised_purchases; DROP TABLE ${s}.retention_applied; DROP TABLE ${s}.retention_runs; DROP TABLE ${s}.legal_holds; DROP TABLE ${s}.retention_policies`;
    },
  },
  {
    // The register's activities as audit records them (register-activities.projection.ts): what policies are drafted from.
    name: 'ContactsRegisterActivities1796800000100',
    up: (schema) => `
CREATE TABLE ${quoteIdent(schema)}.register_activities (
  activity_id uuid PRIMARY KEY,
  version     int   NOT NULL,
  status      text  NOT NULL,
  document    jsonb NOT NULL
);`,
    down: (schema) => `DROP TABLE ${quoteIdent(schema)}.register_activities`,
  },
];
