// Contract fuzzing of the gateway (issue 16, docs/reliability.md): Schemathesis, pinned and installed by
// tools/fuzz/schemathesis.sh into the state directory, reads the gateway's own OpenAPI document and sends generated
// requests, valid and invalid, to every documented route, signed in as each role in turn. Any 5xx, any status the
// document does not list for the route, and any answer whose body violates the documented schema fails the spec,
// which lists every failure Schemathesis found by check and route.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { api, createStaffUser, expectEventually, freshAdminSession, gateway, signInAgain, staffSession, testEnv, uniqueName } from '@crm/testing';

const stateDir = testEnv().CRM_STATE_DIR!;
const reports = join(stateDir, 'test-reports', 'contract-fuzz');

/** The checks the issue asks for; none is ever dropped to make the run pass. */
const CHECKS = ['not_a_server_error', 'status_code_conformance', 'response_schema_conformance'];

/**
 * Routes the role runs leave out, each fuzzed instead by the last test on targets this spec makes for it (also in
 * docs/reliability.md). Schemathesis feeds ids it read from earlier answers (GET /v1/users, /v1/contacts) into other
 * routes' parameters: in a role run these would act on real accounts and contacts — the fuzzing's own sessions (a
 * reset second factor ended them in the first run) and other suites' data.
 */
const DESTRUCTIVE: Readonly<Record<string, string>> = {
  postV1AuthLogout: 'ends the very session it runs under: fuzzed under a session of its own',
  deleteV1MeSessionsId: "ends one of the caller's sessions: pinned to a second session of a throwaway account",
  deleteV1UsersId: 'deletes an account: pinned to a throwaway account',
  deleteV1UsersIdMfa: "resets an account's second factor and ends its sessions: pinned to a throwaway account",
  postV1UsersIdDisable: 'disables an account and ends its sessions: pinned to a throwaway account',
  postV1UsersIdPasswordReset: "replaces an account's password and ends its sessions: pinned to a throwaway account",
  deleteV1UsersIdSessions: 'ends every session of an account: pinned to a throwaway account',
  putV1UsersIdRoles: "replaces an account's roles: pinned to a throwaway account",
  postV1ContactsIdErasure: 'erases a contact: pinned to a throwaway contact',
  // A valid request queues minutes of pgBackRest work per example, on the two cores the rest of the suite runs on:
  // these get invalid input only (every refusal and its documented status); the disaster suite takes snapshots and
  // runs a drill through the same routes.
  postV1BackupsSnapshots: 'queues a snapshot of every database: invalid input only',
  postV1BackupsDrills: 'queues a restore drill into scratch: invalid input only',
};

/** Examples per route and role: the CI budget (2 cores, the whole spec within about five minutes). */
const EXAMPLES = Number(process.env.CRM_FUZZ_EXAMPLES ?? 5);
const SEED = process.env.CRM_FUZZ_SEED ?? '1616';
/** Below the gateway's 3000 requests a minute per address, with room for the suite's own calls. */
const RATE_LIMIT_PER_MINUTE = 2700;

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

interface FuzzRun {
  /** The report directory's name. */
  name: string;
  token: string;
  /** Which operations: `--include-operation-id` / `--exclude-operation-id` arguments. */
  select: string[];
  /** Schemathesis' configuration file (per-operation parameters), if any. */
  config?: string;
  mode?: 'all' | 'negative';
  /** Requests a minute (default: the whole budget below). */
  rateLimit?: number;
}

/** Runs Schemathesis once and answers its JSON report and the tail of what it printed. */
function fuzz(run: FuzzRun): Promise<{ report: JsonReport; output: string }> {
  const dir = join(reports, run.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  if (run.config !== undefined) writeFileSync(join(dir, 'schemathesis.toml'), run.config);
  const args = [
    ...(run.config === undefined ? [] : ['--config-file', join(dir, 'schemathesis.toml')]),
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
    // The gateway's per-address limit (3000 a minute by default) is shared by the runs at a time: stay below it.
    '--rate-limit',
    `${Math.floor(run.rateLimit ?? RATE_LIMIT_PER_MINUTE)}/m`,
    '--request-timeout',
    '30',
    '--no-color',
    '--report',
    'json,junit',
    '--report-json-path',
    join(dir, 'report.json'),
    '--report-junit-path',
    join(dir, 'junit.xml'),
    '--mode',
    run.mode ?? 'all',
    '-H',
    `Authorization: Bearer ${run.token}`,
    ...run.select,
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
  // The three roles at once, each at a third of the gateway's per-address budget: the gateway answers them in
  // parallel, and the run takes a third of the time it took role after role.
  it('as administrator, dpo and support: no server error, no undocumented status, no answer outside the documented schema', async () => {
    const roles = ['administrator', 'dpo', 'support'];
    const runs = await Promise.all(
      roles.map((role) =>
        fuzz({
          name: role,
          token: tokens[role]!,
          select: Object.keys(DESTRUCTIVE).flatMap((operationId) => ['--exclude-operation-id', operationId]),
          rateLimit: RATE_LIMIT_PER_MINUTE / roles.length,
        }),
      ),
    );
    const failures = runs.flatMap(({ report, output }, index) => {
      const found = describeFailures(report);
      if (found.length > 0) process.stdout.write(`Schemathesis as ${roles[index]!}:\n${output.slice(-8_000)}\n`);
      return found.map((failure) => `${roles[index]!}: ${failure}`);
    });
    expect(runs.map(({ report }, index) => ({ role: roles[index], tested: (report.operations?.tested ?? 0) > 0 }))).toEqual(
      roles.map((role) => ({ role, tested: true })),
    );
    expect(failures).toEqual([]);
  }, 900_000);
});

/** `{ sid }` of an access token: the session it belongs to. */
const sessionOf = (accessToken: string): string => (JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;

/** Schemathesis' configuration pinning each operation's `id` path parameter to one target. */
const pinned = (targets: Readonly<Record<string, string>>): string =>
  Object.entries(targets)
    .map(([operationId, id]) => `[[operations]]\ninclude-operation-id = "${operationId}"\nparameters = { "path.id" = "${id}" }\n`)
    .join('\n');

const only = (...operationIds: string[]): string[] => operationIds.flatMap((operationId) => ['--include-operation-id', operationId]);

describe('contract fuzzing of the routes that destroy, each on targets this spec makes for it', () => {
  it('no server error, no undocumented status, no answer outside the documented schema', async () => {
    const admin = await freshAdminSession();
    // The account whose own sessions are ended: one session runs the fuzzing, a second is its target, a third logs out.
    const holder = await staffSession(admin.accessToken, 'support', 'fuzz-holder');
    const second = await signInAgain(holder.email, holder.password, holder.secret);
    const third = await signInAgain(holder.email, holder.password, holder.secret);
    const contact = await api(
      'POST',
      '/v1/contacts',
      { purpose: 'customer-service', data: { name: { given: uniqueName('Fuzz'), family: 'Target' } } },
      holder.accessToken,
    );
    expect(contact.status).toBe(201);
    const accountTargets: Record<string, string> = {};
    for (const operationId of [
      'deleteV1UsersId',
      'deleteV1UsersIdMfa',
      'postV1UsersIdDisable',
      'postV1UsersIdPasswordReset',
      'deleteV1UsersIdSessions',
      'putV1UsersIdRoles',
    ]) {
      accountTargets[operationId] = (await createStaffUser(admin.accessToken, 'support', 'fuzz-target')).id;
    }
    const targets = { ...accountTargets, postV1ContactsIdErasure: contact.body.id as string };
    // Step-up lasts briefly in the test platform: the administrator's runs come right after a fresh second factor.
    const fresh = (await freshAdminSession()).accessToken;
    const runs: FuzzRun[] = [
      { name: 'destroy-as-administrator', token: fresh, select: only(...Object.keys(targets)), config: pinned(targets) },
      { name: 'backups-invalid-input', token: fresh, select: only('postV1BackupsSnapshots', 'postV1BackupsDrills'), mode: 'negative' },
      {
        name: 'own-session',
        token: holder.accessToken,
        select: only('deleteV1MeSessionsId'),
        config: pinned({ deleteV1MeSessionsId: sessionOf(second.accessToken) }),
      },
      { name: 'logout', token: third.accessToken, select: only('postV1AuthLogout') },
    ];
    const failures: string[] = [];
    for (const run of runs) {
      const { report, output } = await fuzz(run);
      const found = describeFailures(report);
      if (found.length > 0) process.stdout.write(`Schemathesis, ${run.name}:\n${output.slice(-8_000)}\n`);
      expect({ run: run.name, tested: (report.operations?.tested ?? 0) > 0 }).toEqual({ run: run.name, tested: true });
      failures.push(...found.map((failure) => `${run.name}: ${failure}`));
    }
    expect(failures).toEqual([]);
    // The pinned targets were reached, not only refused: each destroyed what it was pointed at.
    expect((await api('GET', `/v1/users/${accountTargets.deleteV1UsersId!}`, undefined, (await freshAdminSession()).accessToken)).status).toBe(404);
    expect((await api('GET', `/v1/contacts/${targets.postV1ContactsIdErasure}?purpose=customer-service`, undefined, holder.accessToken)).status).toBe(410);
    expect((await api('POST', '/v1/auth/refresh', { refreshToken: third.refreshToken })).status).toBe(401);
  }, 900_000);
});
