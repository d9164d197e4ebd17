import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PostgresSettings } from '@crm/config';
import { AppError } from '@crm/http';

/** What the audit verifier said about a restored trail (its `--json` verdict, in short). */
export interface AuditCheck {
  verified: boolean;
  entries: number;
  headsChecked: number;
  latestHeadSize: number | undefined;
  problems: Array<{ code: string; message: string }>;
}

/** The audit service's verifier command, run as its own process (services never import each other). */
export function auditVerifierPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.CRM_AUDIT_VERIFIER ?? fileURLToPath(new URL('../../../audit/dist/verifying/verify-cli.js', import.meta.url));
}

/**
 * Runs the audit verifier against the restored audit database, with the signed tree heads read from the backup
 * cluster: every entry rehashed, the tree rebuilt, every head's signature and root checked. A head covering more
 * entries than were restored is `LOG_TRUNCATED`: entries written after the restore point.
 */
export function checkRestoredAudit(verifier: string, database: PostgresSettings, env: NodeJS.ProcessEnv = process.env): Promise<AuditCheck> {
  // With the restore's own credentials (the service's role cannot connect to the audit database).
  const childEnv: NodeJS.ProcessEnv = {
    ...env,
    CRM_PG_HOST: database.host,
    CRM_PG_PORT: String(database.port),
    CRM_PG_USER: database.user,
    CRM_PG_PASSWORD: database.password.reveal(),
    CRM_LOG_LEVEL: 'silent',
  };
  delete childEnv.CRM_PG_PASSWORD_FILE;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [verifier, '--source', 'db', '--heads-from', 'backup', '--json'],
      { env: childEnv, timeout: 3_600_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error !== null && error.code !== 1) {
          // The verifier's own one-line reason (a missing key file, a refused connection): no personal data.
          const reason = stderr.trim().split('\n').at(-1) ?? '';
          return reject(
            new AppError(
              'RESTORE_AUDIT_UNVERIFIABLE',
              'unavailable',
              `the audit verifier could not run against the restored trail${reason === '' ? '' : `: ${reason}`}`,
            ),
          );
        }
        try {
          const verdict = JSON.parse(stdout) as {
            verified: boolean;
            entries: number;
            headsChecked: number;
            latestHead?: { treeSize: number };
            problems: AuditCheck['problems'];
          };
          resolve({
            verified: verdict.verified,
            entries: verdict.entries,
            headsChecked: verdict.headsChecked,
            latestHeadSize: verdict.latestHead?.treeSize,
            problems: verdict.problems.map(({ code, message }) => ({ code, message })),
          });
        } catch {
          reject(new AppError('RESTORE_AUDIT_UNVERIFIABLE', 'unavailable', 'the audit verifier answered something that is not a verdict'));
        }
      },
    );
  });
}
