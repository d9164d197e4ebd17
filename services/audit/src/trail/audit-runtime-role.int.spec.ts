// The audit store's owner is not the role the audit service runs as (issue 15 item 8, docs/security.md): on the
// platform's audit database as `npm run migrate` left it, the service's role (crm_audit) reads and appends, and can
// neither rewrite the trail nor switch off or drop its append-only triggers. Real Postgres, the roles and passwords
// deploy/local/infra.sh made.
import { readFileSync } from 'node:fs';
import { postgresPasswordFile, Secret, serviceRole } from '@crm/config';
import { createPool, type Pool } from '@crm/postgres';
import { testEnv, testPlatformConfig } from '@crm/testing';
import { loadAuditConfig } from '../audit.config.js';

const stateDir = testEnv().CRM_STATE_DIR!;
const role = serviceRole('audit');
const schema = `"${loadAuditConfig(testEnv()).schema}"`;
let pool: Pool;

beforeAll(() => {
  const password = new Secret(readFileSync(postgresPasswordFile(stateDir, role), 'utf8').trim());
  pool = createPool({ ...testPlatformConfig().postgres!, user: role, password, database: 'audit' }, { max: 1, applicationName: 'it-audit-role' });
});
afterAll(() => pool.end());

const denied = { code: '42501' };

describe('the audit service’s Postgres role', () => {
  it('reads the trail and may append to it (in a transaction rolled back here)', async () => {
    expect((await pool.query<{ count: string }>(`SELECT count(*) FROM ${schema}.entries`)).rows).toEqual([{ count: expect.stringMatching(/^\d+$/) }]);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO ${schema}.entries (leaf_index, event_id, occurred_at, recorded_at, actor_id, actor_type, action, subject_id, fields,
           purpose, legal_basis, correlation_id, causation_id, payload_type, envelope_sha256, source_topic, source_partition, source_offset, leaf_hash)
         VALUES (9223372036854775807, 'it-audit-role', now(), now(), 'a', 'user', 'x', '', '{}', 'p', 'b', 'c', 'c', 't', 'h', 'topic', 0, 0, $1)`,
        [Buffer.alloc(32)],
      );
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it.each([
    ['UPDATE an entry', `UPDATE ${schema}.entries SET action = 'rewritten'`],
    ['DELETE entries', `DELETE FROM ${schema}.entries`],
    ['TRUNCATE the trail', `TRUNCATE ${schema}.entries`],
    ['switch the triggers off', `ALTER TABLE ${schema}.entries DISABLE TRIGGER ALL`],
    ['drop the trail', `DROP TABLE ${schema}.entries`],
    [
      'replace the trigger function',
      `CREATE OR REPLACE FUNCTION ${schema}.refuse_audit_mutation() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`,
    ],
    ['UPDATE a register version', `UPDATE ${schema}.activity_versions SET document = '{}'`],
    ['DELETE register versions', `DELETE FROM ${schema}.processor_versions`],
    ['UPDATE an event of its event store', `UPDATE ${schema}.events SET event_type = 'x'`],
    ['create a table', `CREATE TABLE ${schema}.intruder (id int)`],
  ])('may not %s', async (_what, sql) => {
    await expect(pool.query(sql)).rejects.toMatchObject(denied);
  });

  it('may not drop any of the trail’s or the register’s append-only triggers', async () => {
    const { rows } = await pool.query<{ tgname: string; rel: string }>(
      `SELECT t.tgname, t.tgrelid::regclass::text AS rel FROM pg_trigger t
        WHERE t.tgrelid IN ('${schema}.entries'::regclass, '${schema}.activity_versions'::regclass, '${schema}.processor_versions'::regclass)
          AND NOT t.tgisinternal`,
    );
    expect(rows.map((row) => row.tgname).sort()).toEqual([
      'activity_versions_immutable',
      'activity_versions_no_truncate',
      'entries_immutable',
      'entries_no_truncate',
      'processor_versions_immutable',
      'processor_versions_no_truncate',
    ]);
    for (const { tgname, rel } of rows) {
      await expect(pool.query(`DROP TRIGGER "${tgname}" ON ${rel}`)).rejects.toMatchObject(denied);
    }
  });

  it('is not the owner of what it writes', async () => {
    const { rows } = await pool.query<{ owner: string }>(
      `SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relnamespace = $1::regnamespace`,
      [loadAuditConfig(testEnv()).schema],
    );
    expect(rows.map((row) => row.owner)).toEqual(['crm_audit_owner']);
  });
});
