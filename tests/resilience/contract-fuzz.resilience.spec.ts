// Contract fuzzing of the gateway (issue 16, docs/reliability.md): Schemathesis, pinned and installed by
// tools/fuzz/schemathesis.sh into the state directory, reads the gateway's own OpenAPI document and sends generated
// requests, valid and invalid, to every documented route, signed in as each role in turn. Any 5xx, any status the
// document does not list for the route, and any answer whose body violates the documented schema fails the spec,
// which lists every failure Schemathesis found by check and route.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expectEventually, freshAdminSession, gateway, staffSession, testEnv } from '@crm/testing';

const stateDir = testEnv().CRM_STATE_DIR!;
const reports = join(stateDir, 'test-reports', 'contract-fuzz');

/** The checks the issue asks for; none is ever dropped to make the run pass. */
const CHECKS = ['not_a_server_error', 'status_code_conformance', 'response_schema_conformance'];

/**
 * Routes not fuzzed, each with its reason (also in docs/reliability.md). Schemathesis matches these by operation id
 * (`handlerName` in the gateway: method + path).
 */
const EXCLUDED: Readonly<Record<string, string>> = {
  postV1AuthLogout: 'ends the very session the fuzzing runs under; every later request would be a 401',
  postV1BackupsSnapshots: 'each accepted request queues a snapshot of every database: minutes of work per example',
  postV1BackupsDrills: 'each accepted request queues a restore drill into scratch: minutes of work per example',
  // Schemathesis feeds ids it read from earlier answers (GET /v1/users, /v1/contacts) into other routes' parameters:
  // these would act on real accounts and contacts — the fuzzing's own sessions (a reset second factor ended them in
  // the first run) and other suites' data — not only on data this spec creates.
  deleteV1UsersId: 'deletes a real account (ids come from GET /v1/users)',
  deleteV1UsersIdMfa: "resets a real account's second factor and ends its sessions, the fuzzing's own included",
  postV1UsersIdDisable: 'disables a real account and ends its sessions',
  postV1UsersIdPasswordReset: "replaces a real account's password by a one-time one and ends its sessions, the fuzzing's own included",
  deleteV1UsersIdSessions: "ends every session of a real account, the fuzzing's own included",
  putV1UsersIdRoles: "replaces a real account's roles",
  deleteV1MeSessionsId: "ends one of the fuzzing role's own sessions",
  postV1ContactsIdErasure: "erases a real contact (ids come from GET /v1/contacts), other suites' data",
};

/** Examples per route and role: the CI budget (2 cores, the whole spec within about five minutes). */
const EXAMPLES = Number(process.env.CRM_FUZZ_EXAMPLES ?? 5);
const SEED = process.env.CRM_FUZZ_SEED ?? '1616';

interface FailureGroup {
  type: string;
  code: string;
  title: string;
  count: number;
  operations: string[];
}
interface JsonReport {
  exit_code: number;
  operations: { total: number; selected: number; tested: number; errored: number } | null;
  test_cases: { generated: number; with_failures: number; unique_failures: number; errored: number };
  failures: FailureGroup[];
  errors: Array<{ title: string; count: number }>;
}

let st: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  // The installer prints the path of `st` on its last line (it may print pip's progress before).
  const installed = execFileSync('bash', ['tools/fuzz/schemathesis.sh'], { encoding: 'utf8', env: { ...process.env, CRM_STATE_DIR: stateDir } });
  st = installed.trim().split('\n').at(-1)!;
  const admin = await freshAdminSession();
  tokens.administrator = admin.accessToken;
  for (const role of ['dpo', 'support']) tokens[role] = (await staffSession(admin.accessToken, role, 'fuzz')).accessToken;
}, 300_000);

// Malformed targets and credential routes share the gateway's strict per-address bucket (300 a minute): the fuzzing
// can spend it, and the suites after this one sign in from the same address. Wait until a sign-in would be let in.
afterAll(async () => {
  await expectEventually(
    async () => {
      const answer = await fetch(`${gateway}/v1/auth/refresh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(answer.status).not.toBe(429);
    },
    { timeoutMs: 120_000, intervalMs: 2_000 },
  );
}, 150_000);

/** Runs Schemathesis as one role and answers its JSON report and the tail of what it printed. */
function fuzz(role: string): Promise<{ report: JsonReport; output: string }> {
  const dir = join(reports, role);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const args = [
    'run',
    `${gateway}/docs/openapi.json`,
    '--url',
    gateway,
    '--checks',
    CHECKS.join(','),
    '--max-examples',
    String(EXAMPLES),
    '--seed',
    SEED,
    '--phases',
    'examples,coverage,fuzzing',
    '--workers',
    '1',
    // The gateway's per-address limit (3000 a minute by default) is shared with every role's run: stay below it.
    '--rate-limit',
    '1200/m',
    '--request-timeout',
    '30',
    '--no-color',
    '--report',
    'json,junit',
    '--report-json-path',
    join(dir, 'report.json'),
    '--report-junit-path',
    join(dir, 'junit.xml'),
    '-H',
    `Authorization: Bearer ${tokens[role]!}`,
    ...Object.keys(EXCLUDED).flatMap((operationId) => ['--exclude-operation-id', operationId]),
  ];
  return new Promise((resolve, reject) => {
    // Run in the report directory: Schemathesis keeps its replay cache (`.schemathesis/`) in the working directory.
    const child = spawn(st, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolve({ report: JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as JsonReport, output });
      } catch (error) {
        reject(new Error(`Schemathesis wrote no JSON report (${String(error)}); it printed:\n${output}`));
      }
    });
  });
}

/** One line per failure group: what was violated and on which routes. */
function describeFailures(report: JsonReport): string[] {
  return [
    ...report.failures.map((group) => `${group.title} [${group.code}] ×${group.count}: ${group.operations.join(', ')}`),
    ...report.errors.map((error) => `error: ${error.title} ×${error.count}`),
  ];
}

describe('contract fuzzing of the gateway (Schemathesis)', () => {
  it.each(['administrator', 'dpo', 'support'])(
    'as %s: no server error, no undocumented status, no answer outside the documented schema',
    async (role) => {
      const { report, output } = await fuzz(role);
      const failures = describeFailures(report);
      if (failures.length > 0) process.stdout.write(`Schemathesis as ${role}:\n${output.slice(-8_000)}\n`);
      expect(report.operations?.tested ?? 0).toBeGreaterThan(0);
      expect(failures).toEqual([]);
    },
    600_000,
  );
});
