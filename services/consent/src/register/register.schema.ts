import { quoteIdent } from '@crm/eventstore';
import type { SchemaMigration } from '@crm/postgres';

/**
 * The Art. 30 register as consent knows it, learnt from `crm.audit.v1.events` by the register projector: the current
 * version of every processing activity (with its status, `draft` or `approved`) and of every processor, as audit
 * recorded them. What privacy notices take their retention, recipients and processors from. Register data only, no
 * personal data. Never edit an applied migration; append one.
 */
export const registerViewMigrations: readonly SchemaMigration[] = [
  {
    name: 'ConsentRegisterView1796700000100',
    up: (schema) => {
      const s = quoteIdent(schema);
      return `
CREATE TABLE ${s}.register_activities (
  activity_id uuid PRIMARY KEY,
  version     int   NOT NULL,
  status      text  NOT NULL,
  document    jsonb NOT NULL
);
CREATE TABLE ${s}.register_processors (
  processor_id uuid PRIMARY KEY,
  version      int   NOT NULL,
  document     jsonb NOT NULL
);`;
    },
    down: (schema) => `DROP TABLE ${quoteIdent(schema)}.register_activities; DROP TABLE ${quoteIdent(schema)}.register_processors`,
  },
];
