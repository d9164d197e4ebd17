import type { INestApplication } from '@nestjs/common';
import { createLogger } from '@crm/logging';
import { migrateAll } from '@crm/migrations';
import { createServiceApp } from '@crm/platform';
import { testPlatformConfig } from '@crm/testing';
import { databaseMigrations } from '../migrations.js';
import { serviceDefinition } from '../service.definition.js';

/**
 * Boots the identity service for a suite, as it boots in production (real Postgres, Redis, Kafka and key vault),
 * after migrating the test database's identity schema and the key vault as `npm run migrate` migrates the real ones.
 * Call at the top of a spec file; the returned function gives the running app inside tests.
 */
export function bootIdentityForSuite(): () => INestApplication {
  let app: INestApplication | undefined;
  beforeAll(async () => {
    const config = testPlatformConfig('identity');
    await migrateAll(config.postgres!, databaseMigrations(config));
    app = await createServiceApp(serviceDefinition, config, createLogger({ service: 'identity', level: 'silent' }));
    await app.init();
  }, 60_000);
  afterAll(() => app?.close());
  return () => {
    if (app === undefined) throw new Error('the identity app is not booted yet (use it inside a test)');
    return app;
  };
}
