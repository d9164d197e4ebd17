import { join } from 'node:path';
import { loadPlatformConfig, type PlatformConfig } from '@crm/config';

/**
 * The environment the test run's infrastructure uses: the launcher (`npm test`) exports CRM_STATE_DIR and the
 * connection settings; run directly from the repo root, the defaults point at `<repo>/.crm`. Tests sign in to Kafka as
 * the `admin` principal (they create and delete topics of their own) unless they say otherwise.
 */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string | undefined> {
  return { CRM_STATE_DIR: join(process.cwd(), '.crm'), CRM_LOG_LEVEL: 'silent', CRM_KAFKA_USER: 'admin', ...process.env, ...overrides };
}

/** Platform configuration for a test that talks to the real servers, on the scratch database `crm_test`. */
export function testPlatformConfig(service = 'test', overrides: Record<string, string> = {}): PlatformConfig {
  return loadPlatformConfig({ service, defaultPort: 0 }, testEnv({ CRM_PG_DATABASE: 'crm_test', ...overrides }));
}

/** A name no other test run uses, for topics, groups, schemas and keys created by a test. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
