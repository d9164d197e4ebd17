import type { INestApplication } from '@nestjs/common';
import type { PlatformConfig } from '@crm/config';
import { createLogger } from '@crm/logging';
import { createServiceApp, type ServiceDefinition } from '@crm/platform';
import { TestTokenIssuer, uniqueName } from '@crm/testing';
import { AppModule } from '../app.module.js';

type Permissions = Parameters<TestTokenIssuer['token']>[0]['perms'];

export interface BackupApp {
  app: INestApplication;
  url: string;
  issuer: TestTokenIssuer;
  /** A request with a test token holding `perms` (and a second factor used 5 s ago, unless `fresh` is false). */
  call(
    method: string,
    path: string,
    perms: Permissions,
    options?: { body?: unknown; fresh?: boolean },
  ): Promise<{ status: number; body: Record<string, unknown> }>;
}

/**
 * For integration tests: the backup service as it boots in production, on the real servers, listening on a free port,
 * trusting a test token issuer, with a BullMQ prefix of the run's own (no other worker takes its jobs).
 */
export async function startBackupApp(config: PlatformConfig): Promise<BackupApp> {
  const issuer = await TestTokenIssuer.create();
  const definition: ServiceDefinition = {
    service: 'backup',
    defaultPort: 0,
    needs: { postgres: true, redis: true, kafka: 'primary+backup' },
    module: () => AppModule.register(config, { ...process.env, CRM_BACKUP_JOBS_PREFIX: uniqueName('crm:backup-test') }),
    verificationKeys: () => () => Promise.resolve(issuer.jwks()),
  };
  const app = await createServiceApp(definition, config, createLogger({ service: 'backup', level: 'silent' }));
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  return {
    app,
    url,
    issuer,
    async call(method, path, perms, options = {}) {
      const token = await issuer.token({ perms, ...(options.fresh === false ? {} : { mfaAgeSeconds: 5 }) });
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
  };
}
