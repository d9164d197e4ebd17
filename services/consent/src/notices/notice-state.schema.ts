import { quoteIdent } from '@crm/eventstore';
import type { SchemaMigration } from '@crm/postgres';

/**
 * The privacy-notice state rows: one per language, written in the same transaction as every event of the
 * language's stream, so it is exactly what the stream folds to. It holds every version (drafts and published ones,
 * with their texts and content hashes) and which one is current; the public routes read published versions from it.
 */
export const noticeStateMigrations: readonly SchemaMigration[] = [
  {
    name: 'PrivacyNoticeStates1796170000000',
    up: (schema) => {
      const s = quoteIdent(schema);
      return `
CREATE TABLE ${s}.privacy_notice_states (
  lang text PRIMARY KEY,
  version bigint NOT NULL,
  state jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);`;
    },
    down: (schema) => `DROP TABLE ${quoteIdent(schema)}.privacy_notice_states;`,
  },
];
