// An import interrupted mid-run (a killed process, a clean stop, a transient Postgres failure) resumes and ends with
// each row created exactly once; a permanent failure ends it at once. Instances of the contacts service against the
// real servers, on a database of the spec's own (no other spec's worker takes its jobs, and a test may lock its tables).
import type { INestApplication } from '@nestjs/common';
import { Queue } from 'bullmq';
import { PURPOSE_PERMISSIONS, type Permission } from '@crm/auth';
import type { PostgresKeyStore } from '@crm/crypto';
import { migrateAll } from '@crm/migrations';
import { KEY_VAULT } from '@crm/platform';
import { createPool, ensureDatabase, PG_POOL, type Pool } from '@crm/postgres';
import { expectEventually, request, testPlatformConfig, TestTokenIssuer, uniqueName } from '@crm/testing';
import { databaseMigrations } from '../migrations.js';
import { startContactsApp } from '../testing/contacts.fixture.js';
import { ContactImport } from './contact-import.service.js';
import { IMPORT_QUEUE, ImportJobs } from './import.jobs.js';

// Two rows per transaction, and a dead worker's job taken over a second after its last lock renewal.
process.env.CRM_CONTACTS_IMPORT_BATCH_SIZE = '2';
process.env.CRM_CONTACTS_IMPORT_LOCK_SECONDS = '1';

const WRITER: Permission[] = ['contacts:read', 'contacts:write', ...PURPOSE_PERMISSIONS];
const WITHIN = { timeoutMs: 60_000, intervalMs: 200 };
const config = testPlatformConfig('contacts', { CRM_PG_DATABASE: 'crm_import_resume_test' });
const actor = uniqueName('importer');
/** The import queue's key prefix on Redis for this database (as the contacts module derives it). */
const PREFIX = 'crm:contacts:crm_import_resume_test';
let tokens: TestTokenIssuer;
const apps: INestApplication[] = [];

beforeAll(async () => {
  await ensureDatabase(config.postgres!, 'crm_import_resume_test');
  await migrateAll(config.postgres!, databaseMigrations(config));
  tokens = await TestTokenIssuer.create();
  // An earlier run stopped half way may have left an import unfinished and its job queued: neither may run into this
  // run's tests (their faults act on whichever import reaches them).
  const leftovers = createPool(config.postgres!, { max: 1, applicationName: 'import-resume-spec' });
  try {
    await leftovers.query(`UPDATE contacts.contact_imports SET status = 'failed', error_code = 'SPEC_LEFTOVER' WHERE status IN ('queued', 'running')`);
  } finally {
    await leftovers.end();
  }
  const queue = new Queue(IMPORT_QUEUE, { connection: redisConnection(), prefix: PREFIX });
  try {
    await queue.obliterate({ force: true });
  } finally {
    await queue.close();
  }
});

// Each test's instances stop with it: a worker left running would take the next test's job (without its fault).
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function call(app: INestApplication, method: string, path: string, body?: unknown) {
  return request(method, path, await tokens.token({ sub: actor, perms: WRITER }), body, {}, await app.getUrl());
}

async function started(): Promise<INestApplication> {
  const app = await startContactsApp(config, tokens);
  apps.push(app);
  return app;
}

function redisConnection() {
  const { host, port, password } = config.redis;
  return { host, port, password: password.reveal() };
}

/** A CSV file of seven rows (the third refused) with e-mail addresses unique to the test. */
function csvFile() {
  const tag = uniqueName('r')
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase();
  const email = (n: number) => `row${n}.${tag}@example.com`;
  const rows = [1, 2, 3, 4, 5, 6, 7].map((n) => (n === 3 ? `Bad,Row,not-an-email` : `Imp${n},Resume,${email(n)}`));
  return { email, content: ['name.given,name.family,emails', ...rows].join('\n') };
}

/** Waits until the import has ended (either way) and returns its report. */
async function ended(app: INestApplication, importId: string) {
  return expectEventually(async () => {
    const report = await call(app, 'GET', `/v1/contacts/imports/${importId}`);
    expect(['completed', 'failed']).toContain(report.body.status);
    return report.body as Record<string, unknown>;
  }, WITHIN);
}

/** Each valid row of `csvFile()` is exactly one contact, and the ledger holds exactly those six rows. */
async function expectEachRowOnce(app: INestApplication, importId: string, email: (n: number) => string) {
  for (const n of [1, 2, 4, 5, 6, 7]) {
    const found = await expectEventually(async () => {
      const reply = await call(app, 'GET', `/v1/contacts?purpose=sales&email=${encodeURIComponent(email(n))}`);
      expect(reply.body.items.length).toBeGreaterThan(0);
      return reply;
    }, WITHIN);
    expect([n, found.body.items.length]).toEqual([n, 1]);
  }
  const ledger = await app
    .get<Pool>(PG_POOL)
    .query<{ row: number }>(`SELECT row_number AS row FROM contacts.contact_import_rows WHERE import_id = $1 ORDER BY row_number`, [importId]);
  expect(ledger.rows.map((entry) => entry.row)).toEqual([1, 2, 4, 5, 6, 7]);
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

  it("an import whose batch loses its Postgres connection (the backend terminated) is retried by BullMQ's backoff and creates each row exactly once", async () => {
    const { email, content } = csvFile();
    const app = await started();
    const admin = createPool(config.postgres!, { max: 2, applicationName: 'import-resume-spec' });
    const locker = await admin.connect();
    try {
      // Once the first batch is stored, the spec holds the row ledger locked: the next batch's ledger insert waits.
      let lockedOnce = false;
      let locked!: () => void;
      const reached = new Promise<void>((resolve) => (locked = resolve));
      app.get(ContactImport).fault = async (_id, processed) => {
        if (processed !== 2 || lockedOnce) return;
        lockedOnce = true;
        await locker.query('BEGIN');
        await locker.query('LOCK TABLE contacts.contact_import_rows IN ACCESS EXCLUSIVE MODE');
        locked();
      };
      const queued = await call(app, 'POST', '/v1/contacts/import', { purpose: 'sales', format: 'csv', content });
      expect(queued.status).toBe(202);
      const importId = queued.body.importId as string;
      await reached;

      // The batch's transaction, waiting on the lock mid-statement, loses its server process (SQLSTATE 57P01).
      const terminated = await expectEventually(async () => {
        const { rows } = await admin.query<{ terminated: boolean }>(
          `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND query LIKE '%contact_import_rows%'`,
        );
        expect(rows).toEqual([{ terminated: true }]);
        return rows.length;
      }, WITHIN);
      expect(terminated).toBe(1);
      await locker.query('ROLLBACK');

      const done = await ended(app, importId);
      expect(done).toMatchObject({ status: 'completed', totalRows: 7, processedRows: 7, importedRows: 6, rejectedRows: 1 });
      expect(done.errorCode).toBeUndefined();
      await expectEachRowOnce(app, importId, email);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      locker.release();
      await admin.end();
    }
  });

  it('an import whose batch fails permanently (a constraint the server enforces) ends failed at once, with its code, and is not retried', async () => {
    const { content } = csvFile();
    const app = await started();
    const admin = createPool(config.postgres!, { max: 1, applicationName: 'import-resume-spec' });
    try {
      // After the first batch the ledger refuses every further row: the same failure however often it is tried.
      const runsAtTwo: number[] = [];
      app.get(ContactImport).fault = async (_id, processed) => {
        if (processed !== 2) return;
        runsAtTwo.push(processed);
        if (runsAtTwo.length === 1) {
          await admin.query(`ALTER TABLE contacts.contact_import_rows ADD CONSTRAINT import_resume_spec_refuses CHECK (row_number < 3) NOT VALID`);
        }
      };
      const queued = await call(app, 'POST', '/v1/contacts/import', { purpose: 'sales', format: 'csv', content });
      const importId = queued.body.importId as string;

      const done = await ended(app, importId);
      expect(done).toMatchObject({ status: 'failed', errorCode: 'IMPORT_FAILED', processedRows: 2, importedRows: 2 });
      // One run: the failure was not handed back to BullMQ for another attempt.
      expect(runsAtTwo).toHaveLength(1);
      const queue = new Queue(IMPORT_QUEUE, { connection: redisConnection(), prefix: PREFIX });
      try {
        expect((await queue.getJob(importId))?.attemptsStarted).toBe(1);
      } finally {
        await queue.close();
      }
    } finally {
      await admin.query(`ALTER TABLE contacts.contact_import_rows DROP CONSTRAINT IF EXISTS import_resume_spec_refuses`);
      await admin.end();
    }
  });

  it('an import stopped by a clean shutdown of its process (module close) mid-run is resumed on the next start and creates each row exactly once', async () => {
    const { email, content } = csvFile();
    const first = await started();
    const jobs = first.get(ImportJobs);
    let closing: Promise<void> | undefined;
    // After the first batch the process is shut down cleanly (a deploy); the run sees it at the end of the batch.
    first.get(ContactImport).fault = async (_id, processed) => {
      if (processed !== 2 || closing !== undefined) return;
      closing = first.close();
      await expectEventually(() => expect(jobs.stopping).toBe(true), WITHIN);
    };
    const queued = await call(first, 'POST', '/v1/contacts/import', { purpose: 'sales', format: 'csv', content });
    const importId = queued.body.importId as string;
    await expectEventually(() => expect(closing).toBeDefined(), WITHIN);
    await closing;
    apps.splice(apps.indexOf(first), 1);

    // The close waited for the run, which stopped after its batch: the import is `running`, two rows in.
    const admin = createPool(config.postgres!, { max: 1, applicationName: 'import-resume-spec' });
    try {
      const { rows } = await admin.query<{ status: string; processed: number }>(
        `SELECT status, processed_rows AS processed FROM contacts.contact_imports WHERE import_id = $1`,
        [importId],
      );
      expect(rows).toEqual([{ status: 'running', processed: 2 }]);
    } finally {
      await admin.end();
    }

    const second = await started();
    const done = await ended(second, importId);
    expect(done).toMatchObject({ status: 'completed', totalRows: 7, processedRows: 7, importedRows: 6, rejectedRows: 1 });
    await expectEachRowOnce(second, importId, email);
  });
});
