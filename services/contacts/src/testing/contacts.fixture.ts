// Test-only: the contacts service as the platform builds it (global guard, real Postgres, Redis, Kafka and key vault),
// driven over HTTP with real ES256 tokens. The end-to-end suite covers the same journeys through the gateway; the
// integration tests of each use case cover the service's own rules in detail.
import type { INestApplication } from '@nestjs/common';
import { PURPOSE_PERMISSIONS, type Permission } from '@crm/auth';
import { createLogger } from '@crm/logging';
import { migrateAll } from '@crm/migrations';
import { createServiceApp } from '@crm/platform';
import { ensureDatabase, PG_POOL, type Pool, type PoolClient } from '@crm/postgres';
import { request, testPlatformConfig, TestTokenIssuer, uniqueName, type Reply } from '@crm/testing';
import { AppModule } from '../app.module.js';
import { databaseMigrations } from '../migrations.js';

// Every purpose, so a spec can process for whichever it tests; purpose binding has its own spec (purpose-access.int).
export const WRITER: Permission[] = ['contacts:read', 'contacts:write', ...PURPOSE_PERMISSIONS];
export const DPO: Permission[] = ['contacts:read', 'contacts:export', 'subjects:erase', ...PURPOSE_PERMISSIONS];
/** The analyst's built-in permissions: contacts:read for analytics only. */
export const ANALYST: Permission[] = ['contacts:read', 'purpose:analytics'];

/** A contact's data with every catalogue unit, made recognisable by the marker. */
export function person(marker: string) {
  return {
    name: { given: `Ann${marker}`, family: 'Lee' },
    emails: [`ann.${marker.toLowerCase()}@example.com`],
    phones: ['+4915123456789'],
    addresses: [{ street: 'Main 1', city: 'Berlin', country: 'DE' }],
    birthDate: '1990-02-03',
    notes: [`likes ${marker}`],
  };
}

/**
 * Every spec file of the service shares the test database's contacts read model, and a rebuild truncates it. So each
 * test holds this lock shared, and a rebuild (`exclusively`) waits for the tests running in other files and holds
 * their next ones back until it is done.
 */
const READ_MODEL_LOCK = 'contacts-int-tests:read-model';

export interface ContactsTestApp {
  readonly app: INestApplication;
  readonly url: string;
  readonly issuer: TestTokenIssuer;
  readonly config: ReturnType<typeof testPlatformConfig>;
  /** The user every call acts as, unless it names another: one per spec file and run (export budgets outlive a run). */
  readonly actor: string;
  call(
    method: string,
    path: string,
    perms: readonly Permission[],
    body?: unknown,
    headers?: Record<string, string>,
    /** Seconds since the second factor (default: an hour ago); `null` for a session with a password alone. */
    mfaAgeSeconds?: number | null,
    sub?: string,
  ): Promise<Reply>;
  /** `POST /v1/contacts` with `person(marker)` as the data. */
  create(marker: string, purpose?: string): Promise<Reply>;
  /** Runs work that rewrites the whole read model (a rebuild) while no other spec file's test runs. */
  exclusively<T>(work: () => Promise<T>): Promise<T>;
}

/** One instance of the service, listening on a free port, trusting the issuer's tokens (the database migrated). */
export async function startContactsApp(config: ReturnType<typeof testPlatformConfig>, tokens: TestTokenIssuer): Promise<INestApplication> {
  const app = await createServiceApp(
    {
      service: 'contacts',
      defaultPort: 0,
      needs: { postgres: true, redis: true, kafka: 'primary' },
      module: (c) => AppModule.register(c),
      verificationKeys: () => async () => tokens.jwks(),
    },
    config,
    createLogger({ service: 'contacts', level: 'silent' }),
  );
  await app.listen(0, '127.0.0.1');
  return app;
}

/**
 * Starts the service before the spec file's tests and stops it after them; on the shared test database unless the
 * spec needs one of its own (a spec whose work spans every contact, as the retention sweep does).
 */
export function useContactsApp(options: { database?: string } = {}): ContactsTestApp {
  const config = testPlatformConfig('contacts', options.database === undefined ? {} : { CRM_PG_DATABASE: options.database });
  const actor = uniqueName('user-it');
  let app: INestApplication | undefined;
  let url = '';
  let issuer: TestTokenIssuer | undefined;
  let lock: PoolClient | undefined;

  beforeAll(async () => {
    // The test database's contacts schema and the key vault, migrated as `npm run migrate` migrates the real ones.
    if (options.database !== undefined) await ensureDatabase(config.postgres!, options.database);
    await migrateAll(config.postgres!, databaseMigrations(config));
    const tokens = await TestTokenIssuer.create();
    issuer = tokens;
    app = await startContactsApp(config, tokens);
    url = await app.getUrl();
  });
  afterAll(async () => {
    await app?.close();
  });
  beforeEach(async () => {
    lock = await started(app).get<Pool>(PG_POOL).connect();
    await lock.query('SELECT pg_advisory_lock_shared(hashtext($1))', [READ_MODEL_LOCK]);
  });
  afterEach(async () => {
    // Session locks end with the session: a released connection must not keep one.
    await lock?.query('SELECT pg_advisory_unlock_all()');
    lock?.release();
    lock = undefined;
  });

  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the contacts app is not started: use it inside a test');
    return value;
  };
  const call: ContactsTestApp['call'] = async (method, path, perms, body, headers = {}, mfaAgeSeconds, sub = actor) => {
    const session = mfaAgeSeconds === null ? { passwordOnly: true } : mfaAgeSeconds === undefined ? {} : { mfaAgeSeconds };
    const token = await started(issuer).token({ sub, perms, ...session });
    return request(method, path, token, body, headers, url);
  };
  return {
    get app() {
      return started(app);
    },
    get url() {
      return url;
    },
    get issuer() {
      return started(issuer);
    },
    config,
    actor,
    call,
    create: (marker, purpose = 'customer-service') => call('POST', '/v1/contacts', WRITER, { purpose, data: person(marker) }),
    exclusively: async (work) => {
      // This session holds the lock shared already; taking it exclusively waits only for the other sessions.
      await started(lock).query('SELECT pg_advisory_lock(hashtext($1))', [READ_MODEL_LOCK]);
      try {
        return await work();
      } finally {
        await started(lock).query('SELECT pg_advisory_unlock(hashtext($1))', [READ_MODEL_LOCK]);
      }
    },
  };
}
