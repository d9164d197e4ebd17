// One OS user per service (issue 15 item 8): when the launcher runs as root, tools/platform.ts starts each service as
// `crm-<service>` with exactly the groups of the secrets it reads (tools/secret-access.ts), after laying out the state
// directory's secrets with those owners, groups and modes. Anything that prevents it (not root, the tools missing,
// a service user unable to reach the code or the state directory) turns the separation off, loudly: the services
// then run as the launcher's user, as before, and `platform.ts status` says so.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  chmodSync,
  chownSync,
  constants,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  renameSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import {
  groupsOf,
  PLATFORM_SERVICES,
  placementOf,
  placementOfFileIn,
  SECRET_RULES,
  secretGroups,
  serviceUser,
  STATE_DIRECTORY_RULES,
  type Placement,
  type PlatformService,
} from './secret-access.ts';

export interface ServiceAccount {
  service: PlatformService;
  user: string;
  uid: number;
  /** Primary group. */
  gid: number;
  /** Exactly the table's groups for this service (ids), given as its supplementary groups. */
  groups: number[];
  groupNames: string[];
}

export type Accounts = Record<PlatformService, ServiceAccount>;

/** Where the usual system tools are even when PATH lacks the sbin directories (runuser, useradd live in /usr/sbin). */
const SYSTEM_DIRECTORIES = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export function findTool(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const directory of [...path.split(delimiter).filter(Boolean), ...SYSTEM_DIRECTORIES]) {
    const candidate = join(directory, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function tool(name: string): string {
  const found = findTool(name);
  if (found === undefined) throw new Error(`${name} not found (looked in PATH and ${SYSTEM_DIRECTORIES.join(':')})`);
  return found;
}

function run(name: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(tool(name), args, { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

function must(name: string, args: string[]): string {
  const result = run(name, args);
  if (result.status !== 0) throw new Error(`${name} ${args.join(' ')} failed: ${result.stderr.trim() || `exit ${result.status}`}`);
  return result.stdout;
}

/** A group's id, undefined when there is no such group. */
export function groupId(name: string): number | undefined {
  const result = run('getent', ['group', name]);
  if (result.status !== 0) return undefined;
  return Number(result.stdout.split(':')[2]);
}

function userEntry(name: string): { uid: number; gid: number } | undefined {
  const result = run('getent', ['passwd', name]);
  if (result.status !== 0) return undefined;
  const fields = result.stdout.trim().split(':');
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

/** The supplementary groups /etc/group gives a user (names). */
function memberships(user: string): string[] {
  const result = run('id', ['-nG', user]);
  return result.status === 0 ? result.stdout.trim().split(/\s+/).filter(Boolean) : [];
}

/**
 * The groups of the table's ids that exist: the services are told them (`CRM_SECRET_GROUP_IDS`) so that a key file
 * shared through one of them is not refused as "readable by group" (libs/crypto/src/secrets/secret-file.ts).
 */
export function secretGroupIds(): number[] {
  return secretGroups().flatMap((name) => groupId(name) ?? []);
}

/**
 * Creates (idempotently) every group of the table and a system user per service, `crm-<service>`, without a home or
 * a login shell, whose supplementary groups are exactly the table's. The backup service runs as the database
 * cluster's OS user when there is one (`clusterOwner`, infra.env's CRM_PGBACKREST_USER): its snapshots and restore
 * drills run pgBackRest and scratch clusters as that user; it still gets only the backup service's groups.
 */
export function ensureServiceAccounts(clusterOwner?: string): Accounts {
  for (const group of secretGroups()) {
    if (groupId(group) === undefined) must('groupadd', ['--system', group]);
  }
  const accounts = {} as Accounts;
  for (const service of PLATFORM_SERVICES) {
    const user = serviceUser(service);
    const groupNames = groupsOf(service);
    if (!groupNames.includes(user)) throw new Error(`the table gives ${service} no group of its own (${user})`);
    if (userEntry(user) === undefined) {
      must('useradd', ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', '--gid', user, user]);
    }
    const supplementary = groupNames.filter((name) => name !== user);
    const current = memberships(user).filter((name) => name !== user);
    if (current.sort().join(',') !== supplementary.join(',')) must('usermod', ['-G', supplementary.join(','), user]);
    const groups = groupNames.map((name) => groupId(name)!);
    const runAs = service === 'backup' && clusterOwner !== undefined && clusterOwner !== '' ? clusterOwner : user;
    const entry = userEntry(runAs);
    if (entry === undefined) throw new Error(`no OS user ${runAs}`);
    accounts[service] = { service, user: runAs, uid: entry.uid, gid: entry.gid, groups, groupNames };
  }
  return accounts;
}

/** The command prefix that starts a process as the account: its uid, primary group and exactly its groups. */
export function spawnPrefix(account: ServiceAccount): string[] {
  return [tool('setpriv'), `--reuid=${account.uid}`, `--regid=${account.gid}`, `--groups=${account.groups.join(',')}`, '--no-new-privs', '--'];
}

/** The first of the paths the account cannot reach (`test -r` for files, `-x` for directories and programs). */
export function unreachable(account: ServiceAccount, checks: ReadonlyArray<{ path: string; test: '-r' | '-x' }>): string | undefined {
  for (const check of checks) {
    const [file, ...args] = [...spawnPrefix(account), tool('test'), check.test, check.path];
    if (spawnSync(file!, args, { stdio: 'ignore', cwd: '/' }).status !== 0) return check.path;
  }
  return undefined;
}

function ids(placement: Placement, accounts: Accounts): { uid: number; gid: number } {
  const uid = placement.owner === 'root' ? 0 : accounts[placement.owner].uid;
  const gid = placement.group === 'root' ? 0 : groupId(placement.group);
  if (gid === undefined) throw new Error(`no group ${placement.group}`);
  return { uid, gid };
}

function generated(kind: 'hex-32' | 'bytes-32'): Buffer {
  const bytes = randomBytes(32);
  return kind === 'hex-32' ? Buffer.from(bytes.toString('hex')) : bytes;
}

/** Writes a new file whole, private to root, then links it into place (never over an existing one). */
function createExclusively(path: string, content: Buffer): void {
  const temporary = join(dirname(path), `.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  writeFileSync(temporary, content, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temporary, path);
  } catch (error) {
    if (!(typeof error === 'object' && error !== null && 'code' in error && error.code === 'EEXIST')) throw error;
  } finally {
    unlinkSync(temporary);
  }
}

function place(path: string, placement: Placement, accounts: Accounts, keepOwner = false): void {
  const { uid, gid } = ids(placement, accounts);
  // Group and mode first, never wider than meant, then the owner; chown clears setgid, so the mode is set again.
  chownSync(path, keepOwner ? lstatSync(path).uid : uid, gid);
  chmodSync(path, placement.mode);
}

/**
 * Lays out the secrets and the service-written state directories of `stateDir` per the table: creates what the
 * launcher generates when missing (as root, private until placed), then sets every owner, group and mode, the files
 * already in a directory included (a state directory from before the separation is converted). Only paths inside
 * the state directory (and the backup directory) are touched.
 */
export function layOutState(stateDir: string, accounts: Accounts, env: NodeJS.ProcessEnv = process.env): void {
  for (const rule of SECRET_RULES) {
    const path = join(stateDir, rule.path);
    const placement = placementOf(rule);
    if (rule.kind === 'directory') {
      mkdirSync(path, { recursive: true, mode: 0o700 });
      place(path, placement, accounts);
      if (rule.traverseOnly === true) continue;
      const names = readdirSync(path);
      if (rule.seed !== undefined && !names.some((name) => rule.seed!.unless.test(name))) {
        createExclusively(join(path, rule.seed.name), generated(rule.seed.generate));
        names.push(rule.seed.name);
      }
      for (const name of names) {
        const file = join(path, name);
        if (!lstatSync(file).isFile()) continue;
        place(file, placementOfFileIn(rule, name), accounts, rule.sharedWrites === true);
      }
      continue;
    }
    if (!existsSync(path)) {
      if (rule.generate === undefined) continue; // infra.sh makes it; a service that needs it says so at start
      createExclusively(path, generated(rule.generate));
    }
    if (lstatSync(path).isSymbolicLink()) continue;
    place(path, placement, accounts);
  }
  for (const rule of STATE_DIRECTORY_RULES) {
    const base = rule.relativeTo === undefined ? stateDir : (env[rule.relativeTo] ?? join(stateDir, 'backups'));
    const path = join(base, rule.path);
    mkdirSync(path, { recursive: true, mode: 0o700 });
    const { uid, gid } = { uid: accounts[rule.owner].uid, gid: accounts[rule.owner].gid };
    chownTree(path, uid, gid);
    chmodSync(path, 0o700);
  }
}

function chownTree(path: string, uid: number, gid: number): void {
  const info = lstatSync(path);
  if (info.isSymbolicLink()) return;
  if (info.uid !== uid || info.gid !== gid) chownSync(path, uid, gid);
  if (info.isDirectory()) for (const name of readdirSync(path)) chownTree(join(path, name), uid, gid);
}

/**
 * Identity writes the bootstrap administrator's generated password into a directory of its own
 * (`<state>/secrets/identity/admin.password`: it may not write into the secrets directory itself);
 * `<state>/secrets/admin.password`, where the banner and the tests look, links to it. A password file of before is
 * moved there. Nothing is done when the operator gives the password or its file.
 */
export function bootstrapPasswordFile(stateDir: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if ((env.CRM_ADMIN_PASSWORD ?? '') !== '' || env.CRM_ADMIN_PASSWORD_FILE !== undefined) return undefined;
  const secrets = join(stateDir, 'secrets');
  const file = join(secrets, 'identity', 'admin.password');
  const link = join(secrets, 'admin.password');
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let linked: boolean | undefined;
  try {
    linked = lstatSync(link).isSymbolicLink();
  } catch {
    linked = undefined;
  }
  if (linked === false) {
    // Both a password file of before and identity's: identity's is the one it reads; the other is left for the operator.
    if (existsSync(file)) return file;
    renameSync(link, file);
  }
  if (linked !== true) symlinkSync(join('identity', 'admin.password'), link);
  return file;
}
