// An import killed mid-run resumes in a new process and ends with each row created exactly once: two instances of the
// contacts service against the real servers, on a database of the spec's own (no other spec's worker takes its jobs).
import type { INestApplication } from '@nestjs/common';
import { PURPOSE_PERMISSIONS, type Permission } from '@crm/auth';
import type { PostgresKeyStore } from '@crm/crypto';
import { migrateAll } from '@crm/migrations';
import { KEY_VAULT } from '@crm/platform';
import { ensureDatabase, PG_POOL, type Pool } from '@crm/postgres';
import { expectEventually, request, testPlatformConfig, TestTokenIssuer, uniqueName } from '@crm/testing';
import { databaseMigrations } from '../migrations.js';
import { startContactsApp } from '../testing/contacts.fixture.js';
import { ContactImport } from './contact-import.service.js';
import { ImportJobs } from './import.jobs.js';

// Two rows per transaction, and a dead worker's job taken over a second after its last lock renewal.
process.env.CRM_CONTACTS_IMPORT_BATCH_SIZE = '2';
process.env.CRM_CONTACTS_IMPORT_LOCK_SECONDS = '1';

const WRITER: Permission[] = ['contacts:read', 'contacts:write', ...PURPOSE_PERMISSIONS];
const WITHIN = { timeoutMs: 60_000, intervalMs: 200 };
const config = testPlatformConfig('contacts', { CRM_PG_DATABASE: 'crm_import_resume_test' });
const actor = uniqueName('importer');
let tokens: TestTokenIssuer;
const apps: INestApplication[] = [];

beforeAll(async () => {
  await ensureDatabase(config.postgres!, 'crm_import_resume_test');
  await migrateAll(config.postgres!, databaseMigrations(config));
  tokens = await TestTokenIssuer.create();
});

afterAll(async () => {
  for (const app of apps) await app.close();
});

async function call(app: INestApplication, method: string, path: string, body?: unknown) {
  return request(method, path, await tokens.token({ sub: actor, perms: WRITER }), body, {}, await app.getUrl());
}

async function started(): Promise<INestApplication> {
  const app = await startContactsApp(config, tokens);
  apps.push(app);
  return app;
}

describe('contacts: import jobs', () => {
  it('an import whose process dies after some batches is resumed by another and creates each row exactly once; the file is then unreadable', async () => {
    const tag = uniqueName('r')
      .replace(/[^a-z0-9]/gi, '')
      .toLowerCase();
    const email = (n: number) => `row${n}.${tag}@example.com`;
    const rows = [1, 2, 3, 4, 5, 6, 7].map((n) => (n === 3 ? `Bad,Row,not-an-email` : `Imp${n},Resume,${email(n)}`));
    const content = ['name.given,name.family,emails', ...rows].join('\n');

    // The first process freezes for good once two batches (four rows, one refused) are stored, as if it had died there.
    const first = await started();
    let frozen!: () => void;
    const reached = new Promise<void>((resolve) => (frozen = resolve));
    first.get(ContactImport).fault = async (_id, processed) => {
      if (processed < 4) return;
      frozen();
      await new Promise<never>(() => undefined);
    };
    const queued = await call(first, 'POST', '/v1/contacts/import', { purpose: 'sales', format: 'csv', content });
    expect([queued.status, queued.body.status, queued.body.totalRows, queued.body.rejected]).toEqual([
      202,
      'queued',
      7,
      [{ row: 3, code: 'CONTACT_FIELD_INVALID', fields: [{ field: 'emails[0]', rule: 'email' }] }],
    ]);
    const importId = queued.body.importId as string;
    await reached;
    const halfway = await call(first, 'GET', `/v1/contacts/imports/${importId}`);
    expect(halfway.body).toMatchObject({ status: 'running', processedRows: 4, importedRows: 3 });
    // The upload waits sealed in Postgres: no value of the file is readable there.
    const pool = first.get<Pool>(PG_POOL);
    const stored = await pool.query<{ sealed: Buffer }>(`SELECT sealed_content AS sealed FROM contacts.contact_imports WHERE import_id = $1`, [importId]);
    expect(stored.rows[0]!.sealed.toString('latin1')).not.toContain(email(1));
    // The process is gone: its worker stops without finishing (the lock lapses), then the rest of it.
    await first.get(ImportJobs).abandon();
    await first.close();
    apps.splice(apps.indexOf(first), 1);

    const second = await started();
    const done = await expectEventually(async () => {
      const report = await call(second, 'GET', `/v1/contacts/imports/${importId}`);
      expect(report.body.status).toBe('completed');
      return report.body;
    }, WITHIN);
    expect(done).toMatchObject({ totalRows: 7, processedRows: 7, importedRows: 6, rejectedRows: 1 });
    for (const n of [1, 2, 4, 5, 6, 7]) {
      const found = await call(second, 'GET', `/v1/contacts?purpose=sales&email=${encodeURIComponent(email(n))}`);
      expect([n, found.body.items.length]).toEqual([n, 1]);
    }
    const pool2 = second.get<Pool>(PG_POOL);
    const ledger = await pool2.query<{ n: number }>(`SELECT count(*)::int AS n FROM contacts.contact_import_rows WHERE import_id = $1`, [importId]);
    expect(ledger.rows[0]!.n).toBe(6);

    // The file is dropped and its key destroyed: no copy of the upload can be opened any more.
    const after = await pool2.query<{ sealed: Buffer | null }>(`SELECT sealed_content AS sealed FROM contacts.contact_imports WHERE import_id = $1`, [
      importId,
    ]);
    expect(after.rows[0]!.sealed).toBeNull();
    expect(await second.get<PostgresKeyStore>(KEY_VAULT).isShredded(importId)).toBe(true);
  });
});
