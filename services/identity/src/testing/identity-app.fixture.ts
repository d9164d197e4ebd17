import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { createLogger } from '@crm/logging';
import { migrateAll } from '@crm/migrations';
import { createServiceApp } from '@crm/platform';
import { testPlatformConfig } from '@crm/testing';
import { ChangePasswordHandler } from '../accounts/change-password/change-password.handler.js';
import { databaseMigrations } from '../migrations.js';
import { serviceDefinition } from '../service.definition.js';

/**
 * Boots the identity service for a suite, as it boots in production (real Postgres, Redis, Kafka and key vault),
 * after migrating the test database's identity schema and the key vault as `npm run migrate` migrates the real ones.
 * Call at the top of a spec file; the returned function gives the running app inside tests. Accounts registered here
 * must change their password at the first sign-in, as everywhere: `firstPasswordChange` does it.
 */
export function bootIdentityForSuite(): () => INestApplication {
  let app: INestApplication | undefined;
  let secrets: string | undefined;
  beforeAll(async () => {
    // The test database's first administrator is a test's, not the deployment's: its password file (generated when
    // `crm_test` has no account yet) lives in a directory of this run, never in the state directory's secrets.
    secrets = await mkdtemp(join(tmpdir(), 'crm-identity-it-'));
    process.env.CRM_ADMIN_PASSWORD_FILE = join(secrets, 'admin.password');
    const config = testPlatformConfig('identity');
    await migrateAll(config.postgres!, databaseMigrations(config));
    app = await createServiceApp(serviceDefinition, config, createLogger({ service: 'identity', level: 'silent' }));
    await app.init();
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    if (secrets !== undefined) await rm(secrets, { recursive: true, force: true });
  });
  return () => {
    if (app === undefined) throw new Error('the identity app is not booted yet (use it inside a test)');
    return app;
  };
}

/**
 * An account registered by an administrator, as its holder leaves it after the first sign-in: the password they were
 * given is changed (sign-in answers `passwordChangeRequired` until then). Answers the new password.
 */
export async function firstPasswordChange(app: INestApplication, userId: string, newPassword: string): Promise<string> {
  await app.get(ChangePasswordHandler).execute(userId, newPassword, 'corr-first-change');
  return newPassword;
}
