// The launcher's layout of the secrets, proved with the real OS users (needs root, as the launcher does to separate
// the services): a fresh state directory under /tmp (traversable by every user, wherever the clone lives) is laid
// out by tools/service-users.ts, then each service user tries to read what the table says it may, and may not.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readPrivateFile } from '@crm/crypto';
import { PLATFORM_SERVICES } from './secret-access.ts';
import { ensureServiceAccounts, findTool, layOutState, secretGroupIds, unreachable, type Accounts, type ServiceAccount } from './service-users.ts';

const repoRoot = resolve(import.meta.dirname, '..');
const isRoot = process.getuid?.() === 0;

/** `runuser -u <user> -- cat <file>`: what the user gets, with /etc/group's groups as a login would have them. */
function catAs(user: string, file: string): { status: number | null; bytes: number; stderr: string } {
  const result = spawnSync(findTool('runuser')!, ['-u', user, '--', 'cat', file], { cwd: '/' });
  return { status: result.status, bytes: result.stdout.length, stderr: result.stderr.toString() };
}

/**
 * Runs libs/crypto's secret-file code as a service's OS user: the modules are loaded as root first (the clone may be
 * unreachable to the service users), then the process drops to the account's uid, groups and primary group.
 */
function secretFileAs(account: ServiceAccount, operation: 'create' | 'read', file: string, groupIds: number[]): { ok: boolean; output: string } {
  const script = `
    import { register } from 'node:module';
    import { randomBytes } from 'node:crypto';
    const { libs, module, operation, file, uid, gid, groups } = JSON.parse(process.argv[1]);
    register('data:text/javascript,' + encodeURIComponent(\`
      export async function resolve(specifier, context, next) {
        const lib = /^@crm\\\\/([a-z-]+)$/.exec(specifier);
        if (lib) return next(\${JSON.stringify(libs)} + lib[1] + '/src/index.ts', context);
        try { return await next(specifier, context); }
        catch (error) { if (specifier.startsWith('.') && specifier.endsWith('.js')) return next(specifier.slice(0, -3) + '.ts', context); throw error; }
      }\`));
    const secrets = await import(module);
    process.setgroups(groups);
    process.setgid(gid);
    process.setuid(uid);
    const key = operation === 'create' ? await secrets.readOrCreateSecretFile(file, 32, randomBytes) : await secrets.readSecretFile(file, 32);
    console.log(key.length);
  `;
  const argument = JSON.stringify({
    libs: pathToFileURL(join(repoRoot, 'libs')).href + '/',
    module: pathToFileURL(join(repoRoot, 'libs', 'crypto', 'src', 'secrets', 'secret-file.ts')).href,
    operation,
    file,
    uid: account.uid,
    gid: account.gid,
    groups: account.groups,
  });
  const result = spawnSync(process.execPath, ['--experimental-transform-types', '--no-warnings', '--input-type=module', '-e', script, argument], {
    cwd: '/',
    encoding: 'utf8',
    env: { PATH: process.env.PATH, CRM_SECRET_GROUP_IDS: groupIds.join(',') },
  });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

(isRoot ? describe : describe.skip)('the secrets laid out for one OS user per service (needs root, like the launcher)', () => {
  let state: string;
  let accounts: Accounts;
  let groupIds: number[];

  beforeAll(() => {
    state = mkdtempSync('/tmp/crm-service-users-');
    chmodSync(state, 0o755);
    // A state directory of before the separation: root's files, private to root.
    mkdirSync(join(state, 'secrets'), { mode: 0o700 });
    mkdirSync(join(state, 'audit'), { mode: 0o700 });
    writeFileSync(join(state, 'audit', 'tree-head-signing.key'), 'a private key\n', { mode: 0o600 });
    writeFileSync(join(state, 'audit', 'tree-head-signing.pub'), 'a public key\n', { mode: 0o644 });
    writeFileSync(join(state, 'secrets', 'redis.password'), 'redis\n', { mode: 0o600 });
    writeFileSync(join(state, 'secrets', 'kafka-admin.password'), 'admin\n', { mode: 0o600 });
    accounts = ensureServiceAccounts();
    groupIds = secretGroupIds();
    layOutState(state, accounts, { CRM_BACKUP_DIR: join(state, 'backups') });
  });

  afterAll(() => {
    rmSync(state, { recursive: true, force: true });
  });

  it('given the first KEK, when the gateway reads it, then permission is denied; contacts, identity and consent read it', () => {
    const kek = join(state, 'secrets', 'kek', '1.key');
    const gateway = catAs('crm-gateway', kek);
    expect(gateway.status).not.toBe(0);
    expect(gateway.stderr).toContain('Permission denied');
    for (const service of ['contacts', 'identity', 'consent'])
      expect([service, catAs(`crm-${service}`, kek)]).toMatchObject([service, { status: 0, bytes: 32 }]);
    for (const service of ['audit', 'backup']) expect([service, catAs(`crm-${service}`, kek).status]).not.toEqual([service, 0]);
  });

  it('given the blind-index key, when each service reads it, then only the key vault’s users can', () => {
    const key = join(state, 'secrets', 'blind-index.key');
    const readers = PLATFORM_SERVICES.filter((service) => catAs(`crm-${service}`, key).status === 0);
    expect(readers).toEqual(['identity', 'contacts', 'consent']);
  });

  it('given the audit signing key of before, when laid out, then only crm-audit reads it; its public half everyone', () => {
    const key = join(state, 'audit', 'tree-head-signing.key');
    expect(PLATFORM_SERVICES.filter((service) => catAs(`crm-${service}`, key).status === 0)).toEqual(['audit']);
    expect(PLATFORM_SERVICES.filter((service) => catAs(`crm-${service}`, join(state, 'audit', 'tree-head-signing.pub')).status === 0)).toEqual([
      ...PLATFORM_SERVICES,
    ]);
  });

  it('given the shared and the root-only passwords, when each service reads them, then Redis’s every service, the Kafka administrator’s none', () => {
    expect(PLATFORM_SERVICES.filter((service) => catAs(`crm-${service}`, join(state, 'secrets', 'redis.password')).status === 0)).toEqual([
      ...PLATFORM_SERVICES,
    ]);
    expect(PLATFORM_SERVICES.filter((service) => catAs(`crm-${service}`, join(state, 'secrets', 'kafka-admin.password')).status === 0)).toEqual([]);
    expect(statSync(join(state, 'secrets')).mode & 0o7777).toBe(0o711);
  });

  it('given a clone under a private mktemp -d directory, when the launcher checks it, then the service user cannot reach it (the separation falls back)', () => {
    const hidden = mkdtempSync('/tmp/crm-private-clone-');
    try {
      const main = join(hidden, 'services', 'gateway', 'dist', 'main.js');
      mkdirSync(join(hidden, 'services', 'gateway', 'dist'), { recursive: true });
      writeFileSync(main, '');
      expect(statSync(hidden).mode & 0o777).toBe(0o700);
      expect(
        // A system binary every user reaches, then the clone's code (this checkout's own Node may itself live under
        // a private directory: CI clones under mktemp -d too).
        unreachable(accounts.gateway, [
          { path: '/bin/sh', test: '-x' },
          { path: main, test: '-r' },
        ]),
      ).toBe(main);
      expect(unreachable(accounts.gateway, [{ path: state, test: '-x' }])).toBeUndefined();
    } finally {
      rmSync(hidden, { recursive: true, force: true });
    }
  });

  it('given a new KEK epoch written by contacts, when the others read it, then the key vault’s users can and the gateway cannot', () => {
    const next = join(state, 'secrets', 'kek', '2.key');
    const created = secretFileAs(accounts.contacts, 'create', next, groupIds);
    expect(created).toEqual({ ok: true, output: '32' });
    const info = statSync(next);
    expect(info.uid).toBe(accounts.contacts.uid);
    expect(info.mode & 0o777).toBe(0o660);

    expect(secretFileAs(accounts.identity, 'read', next, groupIds)).toEqual({ ok: true, output: '32' });
    expect(catAs('crm-consent', next)).toMatchObject({ status: 0, bytes: 32 });
    expect(readFileSync(next).length).toBe(32);
    const gateway = secretFileAs(accounts.gateway, 'read', next, groupIds);
    expect(gateway.ok).toBe(false);
    expect(gateway.output).toContain('EACCES');
  });

  it('given a process the launcher did not start (a test, an operator’s command as root), when it reads the shared keys, then the crm- groups are accepted', async () => {
    const saved = process.env.CRM_SECRET_GROUP_IDS;
    delete process.env.CRM_SECRET_GROUP_IDS;
    try {
      expect(await readPrivateFile(join(state, 'secrets', 'blind-index.key'))).toBeDefined();
      expect(await readPrivateFile(join(state, 'secrets', 'kek', '1.key'))).toBeDefined();
    } finally {
      if (saved !== undefined) process.env.CRM_SECRET_GROUP_IDS = saved;
    }
  });
});
