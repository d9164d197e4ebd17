// Starts, supervises and stops the platform's six Node services as local processes.
//   node tools/platform.ts run      foreground: start all, print where to go, stop everything on Ctrl-C
//   node tools/platform.ts start    background: a detached supervisor starts all; returns once ready (used by `npm test`)
//   node tools/platform.ts stop     stop services started by either of the above (and the supervisor)
// Either way a service that dies is restarted by its supervisor, with backoff (1 s doubling to 30 s; reset after a
// minute up), so a crash costs a restart, not the platform.
//   node tools/platform.ts status   one line per service
// Infrastructure (Postgres, Redis, both Kafka clusters, the backup mirror) is deploy/local/infra.sh's job; tools/crm.sh calls both.
// The supervisor watches it too: a component that died (its pidfile names a process that is gone: a crash or
// SIGKILL, not `infra.sh stop`, which removes the pidfile) is started again through infra.sh, with the same backoff.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { componentPidNames } from './infra-pidfiles.ts';
import { serviceEnvironment } from './service-env.ts';
import type { PlatformService } from './secret-access.ts';
import { bootstrapPasswordFile, ensureServiceAccounts, layOutState, secretGroupIds, spawnPrefix, unreachable, type Accounts } from './service-users.ts';

const repoRoot = resolve(dirname(new URL(import.meta.url).pathname), '..');
const stateDir = resolve(process.env.CRM_STATE_DIR ?? join(repoRoot, '.crm'));
const runDir = join(stateDir, 'run', 'services');
const logDir = join(stateDir, 'logs');
/** How long the services get to become ready; a busy machine may need longer (`CRM_PLATFORM_START_TIMEOUT_SECONDS`). */
const READY_TIMEOUT_MS = Number(process.env.CRM_PLATFORM_START_TIMEOUT_SECONDS ?? 90) * 1000;
const STOP_TIMEOUT_MS = 15_000;
const RESTART_BACKOFF_MS = { first: 1_000, max: 30_000, resetAfterUp: 60_000 };

interface ServiceSpec {
  name: string;
  port: number;
}

// Gateway last: its readiness includes every other service's readiness.
const SERVICES: readonly ServiceSpec[] = [
  { name: 'identity', port: 8081 },
  { name: 'contacts', port: 8082 },
  { name: 'consent', port: 8083 },
  { name: 'audit', port: 8084 },
  { name: 'backup', port: 8085 },
  { name: 'gateway', port: 8080 },
].map((service) => ({ ...service, port: Number(process.env[`CRM_${service.name.toUpperCase()}_PORT`] ?? service.port) }));

const pidFile = (name: string): string => join(runDir, `${name}.pid`);
/** How the running services were started: each as its own OS user, or all as the launcher's (and why). */
const separationFile = join(runDir, 'service-users.json');
const mainOf = (name: string): string => join(repoRoot, 'services', name, 'dist', 'main.js');
const launcherPidFile = join(runDir, 'launcher.pid');
const logFile = (name: string): string => join(logDir, `${name}.log`);

function fail(message: string): never {
  console.error(`error: ${message}`);
  process.exit(1);
}

function readPid(name: string): number | undefined {
  if (!existsSync(pidFile(name))) return undefined;
  const pid = Number(readFileSync(pidFile(name), 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && isOurs(pid, name) ? pid : undefined;
}

/** A pidfile can outlive its process and the pid be reused; only a node process running this service counts. */
function isOurs(pid: number, name: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes(join('services', name, 'dist', 'main.js'));
  } catch {
    return false;
  }
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

function portOwner(port: number): string {
  const result = spawnSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' });
  const match = /users:\(\("([^"]+)",pid=(\d+)/.exec(result.stdout ?? '');
  return match ? ` by pid ${match[2]} (${match[1]})` : '';
}

async function isReady(service: ServiceSpec): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${service.port}/health/ready`, { signal: AbortSignal.timeout(3_000) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

function lastLines(file: string, count = 12): string {
  if (!existsSync(file)) return '';
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n').slice(-count);
  return lines.map((line) => `    ${line}`).join('\n');
}

/**
 * A service's young generation has a fixed size (two 8 MiB semi-spaces). Left to itself, V8 grows it from 1 MiB to
 * 32 MiB per semi-space as the allocation rate rises, so a service's resident memory climbed by 30–60 MiB during the
 * soak run without anything leaking (the old space stayed flat: docs/reliability.md, "Soak run"). Fixed, it is
 * resident from the start, smaller than V8's grown size, and the platform's memory is what it will be under load.
 */
const NODE_MEMORY_FLAGS = ['--min-semi-space-size=8', '--max-semi-space-size=8'];

/**
 * Separate: each service runs as its own OS user with exactly the groups of the secrets it reads
 * (tools/secret-access.ts, tools/service-users.ts), the secrets laid out for it. Shared: all run as the launcher's
 * user, as before the separation; `reason` says why.
 */
type Separation = ({ mode: 'separate'; accounts: Accounts } | { mode: 'shared'; reason: string }) & {
  groupIds: number[];
  /** Where identity writes the bootstrap administrator's generated password (undefined: the operator gave it). */
  adminPasswordFile: string | undefined;
};

/** Decides, and prepares, how the services run; writes the outcome where `status` and the end-to-end tests read it. */
function prepareSeparation(): Separation {
  const adminPasswordFile = bootstrapPasswordFile(stateDir, process.env);
  const decide = (): Separation => {
    const groupIds = (): number[] => {
      try {
        return secretGroupIds();
      } catch {
        return [];
      }
    };
    const shared = (reason: string): Separation => ({ mode: 'shared', reason, groupIds: groupIds(), adminPasswordFile });
    if (process.getuid?.() !== 0) return shared(`the launcher does not run as root (uid ${process.getuid?.()}), so it cannot start services as other users`);
    if (process.env.CRM_SERVICE_USERS === 'shared') return shared('CRM_SERVICE_USERS=shared');
    let accounts: Accounts;
    try {
      accounts = ensureServiceAccounts(process.env.CRM_PGBACKREST_USER);
    } catch (error) {
      return shared(`the service users could not be made: ${error instanceof Error ? error.message : String(error)}`);
    }
    for (const service of SERVICES) {
      const account = accounts[service.name as PlatformService];
      const path = unreachable(account, [
        { path: process.execPath, test: '-x' },
        { path: mainOf(service.name), test: '-r' },
        { path: stateDir, test: '-x' },
      ]);
      if (path !== undefined) {
        return shared(
          `the OS user ${account.user} cannot reach ${path} (a directory above it is private to its owner, e.g. a clone under a mktemp -d directory); ` +
            'move the clone or the state directory where other users may traverse, or set CRM_SERVICE_USERS=shared to accept it',
        );
      }
    }
    try {
      layOutState(stateDir, accounts, process.env);
    } catch (error) {
      return shared(`the secrets could not be laid out: ${error instanceof Error ? error.message : String(error)}`);
    }
    return { mode: 'separate', accounts, groupIds: secretGroupIds(), adminPasswordFile };
  };
  const separation = decide();
  mkdirSync(runDir, { recursive: true });
  const record =
    separation.mode === 'separate'
      ? {
          mode: 'separate',
          services: Object.fromEntries(
            Object.values(separation.accounts).map((account) => [
              account.service,
              { user: account.user, uid: account.uid, gid: account.gid, groups: account.groups },
            ]),
          ),
        }
      : { mode: 'shared', reason: separation.reason };
  writeFileSync(separationFile, `${JSON.stringify(record, null, 2)}\n`);
  if (separation.mode === 'shared') console.error(separationWarning(separation.reason));
  return separation;
}

function separationWarning(reason: string): string {
  return `WARNING: service separation is OFF: every service runs as the launcher's OS user and can read every secret under ${join(stateDir, 'secrets')} (${reason}).`;
}

/** What `status` and `start` say about the separation, from the record the supervisor wrote. */
function separationSummary(): { line: string; warning?: string } | undefined {
  if (!existsSync(separationFile)) return undefined;
  const record = JSON.parse(readFileSync(separationFile, 'utf8')) as { mode: string; reason?: string; services?: Record<string, { user: string }> };
  if (record.mode === 'separate') {
    const users = Object.entries(record.services ?? {}).map(([name, { user }]) => `${name}=${user}`);
    return { line: `separate OS users (${users.join(', ')})` };
  }
  return { line: `one OS user for all: separation off (${record.reason ?? 'unknown'})`, warning: separationWarning(record.reason ?? 'unknown') };
}

let separation: Separation | undefined;

function spawnService(service: ServiceSpec, foreground: boolean): ChildProcess {
  mkdirSync(runDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  separation ??= prepareSeparation();
  const account = separation.mode === 'separate' ? separation.accounts[service.name as PlatformService] : undefined;
  const env: NodeJS.ProcessEnv = {
    // Two malloc arenas instead of glibc's eight per core: the services' native memory (OpenSSL, the thread pool)
    // otherwise spread over many arenas and kept climbing in the soak run while their V8 heaps stayed flat.
    MALLOC_ARENA_MAX: '2',
    // Only its own secrets and its own Postgres role (tools/service-env.ts, docs/security.md).
    ...serviceEnvironment(service.name, process.env, stateDir),
  };
  // The groups secrets are shared through on purpose: a key file readable by one of them is not refused.
  if (separation.groupIds.length > 0) env.CRM_SECRET_GROUP_IDS = separation.groupIds.join(',');
  if (service.name === 'identity' && separation.adminPasswordFile !== undefined) env.CRM_ADMIN_PASSWORD_FILE = separation.adminPasswordFile;
  // As the cluster's OS user itself, the backup service runs pgBackRest and scratch clusters directly (no runuser).
  if (account !== undefined && service.name === 'backup' && account.user === process.env.CRM_PGBACKREST_USER) env.CRM_PGBACKREST_USER = '';
  const command = [
    ...(account === undefined ? [] : spawnPrefix(account)),
    process.execPath,
    '--enable-source-maps',
    ...NODE_MEMORY_FLAGS,
    mainOf(service.name),
  ];
  const out = openSync(logFile(service.name), 'a');
  const child = spawn(command[0]!, command.slice(1), {
    cwd: repoRoot,
    env,
    stdio: ['ignore', out, out],
    // Own process group: Ctrl-C reaches only the launcher, which stops the services in order; `npm stop` finds them
    // by pidfile if the launcher itself was killed.
    detached: true,
  });
  closeSync(out);
  if (child.pid === undefined) fail(`could not start ${service.name}`);
  writeFileSync(pidFile(service.name), `${child.pid}\n`);
  if (!foreground) child.unref();
  return child;
}

async function startAll(foreground: boolean): Promise<Map<string, ChildProcess>> {
  for (const service of SERVICES) {
    if (readPid(service.name) !== undefined) continue;
    if (!(await portIsFree(service.port))) {
      fail(`port ${service.port} for ${service.name} is in use${portOwner(service.port)}; stop it or set CRM_${service.name.toUpperCase()}_PORT`);
    }
  }
  const children = new Map<string, ChildProcess>();
  const exited = new Map<string, number | null>();
  for (const service of SERVICES) {
    if (readPid(service.name) !== undefined) continue;
    const child = spawnService(service, foreground);
    child.once('exit', (code) => exited.set(service.name, code));
    children.set(service.name, child);
  }
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const pending = new Set(SERVICES.map((service) => service.name));
  while (pending.size > 0) {
    for (const [name, code] of exited) {
      if (!children.has(name)) continue;
      await stopAll();
      fail(`${name} exited during start-up (code ${code}); see ${logFile(name)}\n${lastLines(logFile(name))}`);
    }
    for (const service of SERVICES.filter((candidate) => pending.has(candidate.name))) {
      if (await isReady(service)) pending.delete(service.name);
    }
    if (pending.size === 0) break;
    if (Date.now() > deadline) {
      await stopAll();
      fail(`not ready after ${READY_TIMEOUT_MS / 1000}s: ${[...pending].join(', ')}; see ${logDir}`);
    }
    await delay(250);
  }
  return children;
}

/** `npm stop` from another terminal: let a foreground launcher (`npm start`) shut down in order first. */
async function stopLauncher(): Promise<void> {
  if (!existsSync(launcherPidFile)) return;
  const pid = Number(readFileSync(launcherPidFile, 'utf8').trim());
  let ours = false;
  try {
    ours = readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('platform.ts');
  } catch {
    // not running
  }
  if (ours && pid !== process.pid) {
    signal(pid, 'SIGTERM');
    const deadline = Date.now() + STOP_TIMEOUT_MS * 2;
    while (alive(pid) && Date.now() < deadline) await delay(100);
  }
  rmSync(launcherPidFile, { force: true });
}

function stopInfrastructure(): void {
  spawnSync('bash', [join(repoRoot, 'deploy', 'local', 'infra.sh'), 'stop'], { stdio: 'inherit' });
}

async function stopAll(): Promise<void> {
  const running = SERVICES.map((service) => ({ service, pid: readPid(service.name) })).filter(
    (entry): entry is { service: ServiceSpec; pid: number } => entry.pid !== undefined,
  );
  for (const { pid } of running) signal(pid, 'SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (running.some(({ pid }) => alive(pid)) && Date.now() < deadline) await delay(100);
  for (const { pid } of running) if (alive(pid)) signal(pid, 'SIGKILL');
  for (const service of SERVICES) rmSync(pidFile(service.name), { force: true });
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function status(): Promise<boolean> {
  let allUp = true;
  const summary = separationSummary();
  for (const service of SERVICES) {
    const pid = readPid(service.name);
    const ready = pid !== undefined && (await isReady(service));
    allUp &&= ready;
    const state = pid === undefined ? 'down' : ready ? 'up' : 'starting';
    console.log(`${service.name.padEnd(10)} ${state.padEnd(9)} http://127.0.0.1:${service.port}${pid === undefined ? '' : `  pid ${pid}`}`);
  }
  if (summary !== undefined && SERVICES.some((service) => readPid(service.name) !== undefined)) console.log(`${'os users'.padEnd(10)} ${summary.line}`);
  return allUp;
}

/** Identity generates the first administrator's password at its first start and deletes the file once it is changed. */
function adminPasswordHint(): string {
  const file = process.env.CRM_ADMIN_PASSWORD_FILE ?? join(stateDir, 'secrets', 'admin.password');
  if (process.env.CRM_ADMIN_PASSWORD !== undefined && process.env.CRM_ADMIN_PASSWORD !== '') return 'the password in CRM_ADMIN_PASSWORD';
  return existsSync(file) ? `the password in ${file}` : `your own password (the generated one was changed; ${file} is gone)`;
}

function banner(): void {
  const gateway = SERVICES.find((service) => service.name === 'gateway')!;
  console.log(`
CRM platform is up.
  gateway   http://127.0.0.1:${gateway.port}        (OpenAPI: http://127.0.0.1:${gateway.port}/docs)
  health    http://127.0.0.1:${gateway.port}/health/ready
  sign-in   POST /v1/auth/login as ${process.env.CRM_ADMIN_EMAIL ?? 'admin@crm.local'} with ${adminPasswordHint()}
            (first sign-in: change that password with the passwordChangeToken at POST /v1/me/password, sign in again,
             then enrol TOTP with the enrollmentToken at POST /v1/me/mfa/totp and /confirm)
  logs      ${logDir}/<service>.log
Press Ctrl-C to stop everything.`);
}

/**
 * Restarts a service that exits while the platform is meant to run. Backoff doubles per crash in a row and resets
 * once the service stayed up for a minute; the supervisor never gives up (a dependency may come back later).
 */
function supervise(children: Map<string, ChildProcess>, isStopping: () => boolean): void {
  const crashesInARow = new Map<string, number>();
  const watch = (service: ServiceSpec, child: ChildProcess, startedAt: number): void => {
    child.once('exit', (code, signalName) => {
      if (isStopping()) return;
      const upMs = Date.now() - startedAt;
      const crashes = upMs >= RESTART_BACKOFF_MS.resetAfterUp ? 1 : (crashesInARow.get(service.name) ?? 0) + 1;
      crashesInARow.set(service.name, crashes);
      const waitMs = Math.min(RESTART_BACKOFF_MS.max, RESTART_BACKOFF_MS.first * 2 ** (crashes - 1));
      console.error(
        `${new Date().toISOString()} ${service.name} stopped unexpectedly (${signalName ?? `code ${code}`}); restarting in ${waitMs / 1000} s (crash ${crashes} in a row); see ${logFile(service.name)}`,
      );
      setTimeout(() => {
        if (isStopping()) return;
        const restarted = spawnService(service, true);
        children.set(service.name, restarted);
        watch(service, restarted, Date.now());
      }, waitMs);
    });
  };
  for (const service of SERVICES) {
    const child = children.get(service.name);
    if (child !== undefined) watch(service, child, Date.now());
  }
}

/** The infrastructure components infra.sh starts, by the pidfile each writes under the state dir's run directory. */
const INFRASTRUCTURE = ['postgres', 'redis', 'kafka-primary', 'kafka-backup', 'kafka-mirror'] as const;
const INFRA_CHECK_MS = 1_000;

/**
 * The pidfiles (without `.pid`) of a component's processes: its own, and for a primary Kafka cluster of several
 * brokers (CRM_KAFKA_PRIMARY_BROKERS=3) one per further broker, `kafka-primary-2`, … (deploy/local/kafka.sh).
 */
function infraPidNames(component: string): string[] {
  const run = join(stateDir, 'run');
  return componentPidNames(component, existsSync(run) ? readdirSync(run) : []);
}

/** The pid a pidfile names, when the file exists (a stopped component has none). */
function infraPid(pidName: string): number | undefined {
  const file = join(stateDir, 'run', `${pidName}.pid`);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Restarts an infrastructure component that died while the platform runs: its pidfile is there, its process is not
 * (`infra.sh stop` removes the pidfile, so a deliberate stop is left alone). The restart is `infra.sh start
 * <component>` (Postgres recovers from its WAL, Kafka from its log, Redis from its append-only file), with the
 * services' backoff; the services reconnect by themselves.
 */
function superviseInfrastructure(isStopping: () => boolean): void {
  const crashesInARow = new Map<string, number>();
  const lastRestart = new Map<string, number>();
  let busy = false;
  const check = async (): Promise<void> => {
    if (busy || isStopping()) return;
    busy = true;
    try {
      for (const component of INFRASTRUCTURE) {
        // A broker of several that died is started again by starting its cluster (the others are left running).
        const gone = infraPidNames(component)
          .map((pidName) => ({ pidName, pid: infraPid(pidName) }))
          .find((entry) => entry.pid !== undefined && !alive(entry.pid));
        if (gone === undefined || isStopping()) continue;
        const { pidName, pid } = gone;
        const since = Date.now() - (lastRestart.get(component) ?? 0);
        const crashes = since >= RESTART_BACKOFF_MS.resetAfterUp ? 1 : (crashesInARow.get(component) ?? 0) + 1;
        const waitMs = Math.min(RESTART_BACKOFF_MS.max, RESTART_BACKOFF_MS.first * 2 ** (crashes - 1));
        crashesInARow.set(component, crashes);
        console.error(`${new Date().toISOString()} ${pidName} (pid ${pid}) is gone; restarting it in ${waitMs / 1000} s (crash ${crashes} in a row)`);
        await delay(waitMs);
        if (isStopping() || infraPid(pidName) !== pid) continue; // stopped meanwhile, or someone else restarted it
        lastRestart.set(component, Date.now());
        const started = await new Promise<number | null>((done) => {
          const child = spawn('bash', [join(repoRoot, 'deploy', 'local', 'infra.sh'), 'start', component], {
            cwd: repoRoot,
            env: process.env,
            stdio: ['ignore', 'inherit', 'inherit'],
          });
          child.once('exit', (code) => done(code));
        });
        console.error(`${new Date().toISOString()} ${component} ${started === 0 ? 'restarted' : `did not start (code ${started}); trying again`}`);
      }
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void check(), INFRA_CHECK_MS);
  timer.unref();
}

/** Runs the platform until told to stop; `withInfrastructure`: Ctrl-C also stops Postgres, Redis and Kafka. */
async function runSupervised(withInfrastructure: boolean): Promise<void> {
  const children = await startAll(true);
  writeFileSync(launcherPidFile, `${process.pid}\n`);
  let stopping = false;
  const shutdown = async (reason: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log(`\nstopping the platform (${reason}) …`);
    await stopAll();
    if (withInfrastructure) stopInfrastructure();
    rmSync(launcherPidFile, { force: true });
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('Ctrl-C'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  supervise(children, () => stopping);
  superviseInfrastructure(() => stopping);
  if (withInfrastructure) banner();
}

/** `start`: a detached supervisor runs the services; this returns once all are ready, or fails with its log. */
async function startInBackground(): Promise<void> {
  if (existsSync(launcherPidFile) && SERVICES.every((service) => readPid(service.name) !== undefined)) return;
  mkdirSync(logDir, { recursive: true });
  mkdirSync(runDir, { recursive: true });
  const log = join(logDir, 'supervisor.log');
  const out = openSync(log, 'a');
  const supervisor = spawn(process.execPath, [new URL(import.meta.url).pathname, 'supervise'], {
    cwd: repoRoot,
    env: process.env,
    stdio: ['ignore', out, out],
    detached: true,
  });
  closeSync(out);
  let exited: number | null | undefined;
  supervisor.once('exit', (code) => (exited = code));
  supervisor.unref();
  const deadline = Date.now() + READY_TIMEOUT_MS + 10_000;
  for (;;) {
    if (exited !== undefined) fail(`the platform did not start (supervisor exit code ${exited}); see ${log}\n${lastLines(log)}`);
    const ready = await Promise.all(SERVICES.map(async (service) => readPid(service.name) !== undefined && (await isReady(service))));
    if (ready.every(Boolean)) return;
    if (Date.now() > deadline) fail(`not ready after ${READY_TIMEOUT_MS / 1000}s; see ${log}`);
    await delay(250);
  }
}

const command = process.argv[2];
switch (command ?? '') {
  case 'run':
    await runSupervised(true);
    break;
  case 'supervise':
    await runSupervised(false);
    break;
  case 'start': {
    await startInBackground();
    const summary = separationSummary();
    if (summary?.warning !== undefined) console.error(summary.warning);
    console.log('services   up');
    break;
  }
  case 'stop':
    await stopLauncher();
    await stopAll();
    break;
  case 'status':
    process.exit((await status()) ? 0 : 3);
    break;
  default:
    fail(`usage: node tools/platform.ts run|start|stop|status`);
}
