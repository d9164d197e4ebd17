import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PlatformConfig } from '@crm/config';
import { expectEventually } from '@crm/testing';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/**
 * For integration tests of restores: the state directory as it is on any platform whose audit service has started
 * once, i.e. holding the tree-head signing key the audit verifier pins. On a fresh clone (CI) the int tests run
 * before the platform has ever started, so the built audit service is started here, until its key is written, and
 * stopped. Services never import each other: it runs as its own process, as the platform runs it.
 */
export async function auditServiceHasRun(config: PlatformConfig): Promise<void> {
  const publicKey = join(config.stateDir, 'audit', 'tree-head-signing.pub');
  if (existsSync(publicKey)) return;
  const main = fileURLToPath(new URL('../../../audit/dist/main.js', import.meta.url));
  const child = spawn(process.execPath, [main], {
    // No register drafting: this run is for the key alone, and entries it drafted would need a head on the backup
    // cluster before the spec's restore could verify them (a head mirrored in time is the disaster test's concern).
    env: {
      ...process.env,
      CRM_STATE_DIR: config.stateDir,
      CRM_AUDIT_PORT: String(await freePort()),
      CRM_AUDIT_DRAFT_REGISTER: 'off',
      CRM_LOG_LEVEL: 'silent',
    },
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await expectEventually(() => expect(existsSync(publicKey)).toBe(true), { timeoutMs: 60_000, intervalMs: 200 });
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}
