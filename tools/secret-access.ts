// Who may read which secret (issue 15 item 8, docs/security.md "What is enforced and what is not"): one table, from
// which tools/service-users.ts derives each service's OS groups and lays out <state>/secrets (owner, group, mode)
// before the launcher starts the services as their own OS users. Paths are relative to the state directory.
//
// Derived from the code that reads each file: the key vault's users (identity, contacts, consent: libs/platform's
// BackboneModule) read and rotate the KEKs and read the blind-index root key; identity alone its JWT signing keys,
// the bootstrap password and the login-throttle key; audit alone its tree-head signing key; each service its own
// Postgres and Kafka passwords (libs/config), every service the Redis password. The backup service's restore drills
// read every database with the administrator's Postgres password and run the audit verifier, which signs in to the
// backup cluster as `audit` (services/backup/src/restoring/audit.check.ts).

export const PLATFORM_SERVICES = ['identity', 'contacts', 'consent', 'audit', 'backup', 'gateway'] as const;
export type PlatformService = (typeof PLATFORM_SERVICES)[number];

/** The services with a key vault: they seal fields under DEKs wrapped by the KEK and compute blind indexes. */
const KEY_VAULT_USERS: readonly PlatformService[] = ['identity', 'contacts', 'consent'];
const WITH_DATABASE: readonly PlatformService[] = ['identity', 'contacts', 'consent', 'audit', 'backup'];

export interface SecretRule {
  /** Relative to the state directory. */
  path: string;
  kind: 'file' | 'directory';
  /**
   * Who writes it: a service (its OS user owns it: it creates, rotates or deletes it), or `root` (the launcher or
   * deploy/local/infra.sh makes it; the services only read it).
   */
  owner: PlatformService | 'root';
  /** The services that may read it (a directory: the files in it). Empty: root only. */
  readers: readonly PlatformService[];
  /** The OS group the readers share it through; by default the one reader's own group, `crm-<service>`. */
  group?: string;
  /** A directory into which the readers also write new files (and delete them): setgid, group-writable. */
  sharedWrites?: boolean;
  /** A directory that only needs to be traversable (its files have rules of their own): mode 0711. */
  traverseOnly?: boolean;
  /** A directory whose files matching this are public (mode 0644), e.g. a public key beside its private key. */
  publicFiles?: RegExp;
  /** What the launcher generates when the file is missing (others are made by infra.sh, or by their owner service). */
  generate?: 'hex-32' | 'bytes-32';
  /** A directory: the file the launcher generates in it when it holds none matching `unless`. */
  seed?: { name: string; generate: 'bytes-32'; unless: RegExp };
}

const own = (service: PlatformService, path: string): SecretRule => ({ path, kind: 'file', owner: 'root', readers: [service] });
const rootOnly = (path: string): SecretRule => ({ path, kind: 'file', owner: 'root', readers: [] });

export const SECRET_RULES: readonly SecretRule[] = [
  // The directory itself: traversable, not listable; each file below says who reads it.
  { path: 'secrets', kind: 'directory', owner: 'root', readers: [], traverseOnly: true },
  // KEK epochs: each key-vault service creates the next epoch when it rotates and destroys retired ones.
  {
    path: 'secrets/kek',
    kind: 'directory',
    owner: 'root',
    readers: KEY_VAULT_USERS,
    group: 'crm-kek',
    sharedWrites: true,
    seed: { name: '1.key', generate: 'bytes-32', unless: /^[1-9][0-9]*\.key$/ },
  },
  { path: 'secrets/blind-index.key', kind: 'file', owner: 'root', readers: KEY_VAULT_USERS, group: 'crm-blind-index', generate: 'bytes-32' },
  // Identity's ES256 signing keys and keyrings (rotated by identity), and the bootstrap administrator's generated
  // password (identity writes it at its first start and deletes it once changed; `secrets/admin.password` links to it).
  { path: 'secrets/jwt', kind: 'directory', owner: 'identity', readers: ['identity'] },
  { path: 'secrets/identity', kind: 'directory', owner: 'identity', readers: ['identity'] },
  { ...own('identity', 'secrets/login-throttle.secret'), generate: 'hex-32' },
  { path: 'secrets/gateway-forwarding.secret', kind: 'file', owner: 'root', readers: ['gateway', 'identity'], group: 'crm-forwarding', generate: 'hex-32' },
  { ...own('gateway', 'secrets/gateway-rate-limit.secret'), generate: 'hex-32' },
  { path: 'secrets/redis.password', kind: 'file', owner: 'root', readers: PLATFORM_SERVICES, group: 'crm-redis' },
  { ...own('contacts', 'secrets/analytics.key'), generate: 'hex-32' },
  own('backup', 'secrets/vault-backup.key'),
  // The administrator's Postgres password: the backup service's restores and drills read every restored database.
  own('backup', 'secrets/postgres-crm.password'),
  ...WITH_DATABASE.map((service) => own(service, `secrets/postgres-crm_${service}.password`)),
  ...PLATFORM_SERVICES.filter((service) => service !== 'audit').map((service) => own(service, `secrets/kafka-${service}.password`)),
  // The audit verifier the backup service's drills run reads the mirrored tree heads as the `audit` principal.
  { path: 'secrets/kafka-audit.password', kind: 'file', owner: 'root', readers: ['audit', 'backup'], group: 'crm-audit-kafka' },
  // Infrastructure and operators only.
  rootOnly('secrets/postgres-superuser.password'),
  rootOnly('secrets/backup-repo.cipher'),
  ...['admin', 'mirror', 'analyst', 'probe'].map((principal) => rootOnly(`secrets/kafka-${principal}.password`)),
  ...['admin', 'analyst'].map((principal) => rootOnly(`secrets/kafka-${principal}.properties`)),
  // The audit trail's Ed25519 tree-head signing key (audit makes it at first start); its public half is public.
  { path: 'audit', kind: 'directory', owner: 'audit', readers: ['audit'], publicFiles: /\.pub$/ },
];

/** Directories of the state a service writes to that are not secrets (created by the launcher, owned by it). */
export interface StateDirectoryRule {
  /** Relative to the state directory, or to the directory an environment variable names (infra.env's). */
  path: string;
  relativeTo?: 'CRM_BACKUP_DIR';
  owner: PlatformService;
}

export const STATE_DIRECTORY_RULES: readonly StateDirectoryRule[] = [
  // Sealed key-vault backups (services/backup/src/vault/vault-backup.ts).
  { path: 'keyvault', relativeTo: 'CRM_BACKUP_DIR', owner: 'backup' },
  // Scratch restores of the restore drills, when the backup service runs as the cluster's OS user itself.
  { path: 'restore', owner: 'backup' },
];

export function serviceUser(service: PlatformService): string {
  return `crm-${service}`;
}

/** The OS group through which a secret is shared. */
export function groupOf(rule: SecretRule): string | undefined {
  if (rule.readers.length === 0) return undefined;
  if (rule.group !== undefined) return rule.group;
  if (rule.readers.length > 1) throw new Error(`${rule.path}: several readers need a group of their own`);
  return serviceUser(rule.readers[0]!);
}

/** Every group of the table, sorted. */
export function secretGroups(rules: readonly SecretRule[] = SECRET_RULES): string[] {
  return [...new Set(rules.flatMap((rule) => groupOf(rule) ?? []))].sort();
}

/** The groups a service is a member of: exactly those of the secrets it reads (its own group included). */
export function groupsOf(service: PlatformService, rules: readonly SecretRule[] = SECRET_RULES): string[] {
  return [...new Set(rules.filter((rule) => rule.readers.includes(service)).flatMap((rule) => groupOf(rule) ?? []))].sort();
}

/** Whether a service may read a path (relative to the state directory) under the table: the file's rule or its directory's. */
export function mayRead(service: PlatformService, path: string, rules: readonly SecretRule[] = SECRET_RULES): boolean {
  const rule = ruleFor(path, rules);
  return rule !== undefined && rule.readers.includes(service);
}

/** The rule governing a path: its own, else its nearest directory's (the traverse-only secrets directory governs nothing). */
export function ruleFor(path: string, rules: readonly SecretRule[] = SECRET_RULES): SecretRule | undefined {
  const exact = rules.find((rule) => rule.path === path);
  if (exact !== undefined) return exact;
  return rules
    .filter((rule) => rule.kind === 'directory' && rule.traverseOnly !== true && path.startsWith(`${rule.path}/`))
    .sort((a, b) => b.path.length - a.path.length)[0];
}

/** Owner, group and mode, as names: `root` or a service (its OS user); the group `root` or the rule's. */
export interface Placement {
  owner: PlatformService | 'root';
  group: string;
  mode: number;
}

/** Where a rule's file or directory is placed. */
export function placementOf(rule: SecretRule): Placement {
  const group = groupOf(rule) ?? 'root';
  if (rule.kind === 'file') {
    if (rule.readers.length === 0) return { owner: 'root', group: 'root', mode: 0o600 };
    if (rule.owner !== 'root' && rule.readers.length === 1 && rule.readers[0] === rule.owner) return { owner: rule.owner, group, mode: 0o600 };
    return { owner: rule.owner, group, mode: 0o640 };
  }
  if (rule.traverseOnly === true) return { owner: 'root', group: 'root', mode: 0o711 };
  if (rule.sharedWrites === true) return { owner: rule.owner, group, mode: 0o2770 };
  const mode = rule.publicFiles === undefined ? 0o700 : 0o755;
  if (rule.owner !== 'root' && rule.readers.length === 1 && rule.readers[0] === rule.owner) return { owner: rule.owner, group, mode };
  return { owner: rule.owner, group, mode: rule.publicFiles === undefined ? 0o2750 : 0o2755 };
}

/**
 * Where a file inside a rule's directory is placed. In a directory several services write to, the file keeps the
 * owner that made it (any of them may read, replace or destroy it through the group).
 */
export function placementOfFileIn(rule: SecretRule, name: string): Placement {
  const directory = placementOf(rule);
  const forGroup = rule.readers.some((reader) => reader !== rule.owner);
  const mode = rule.publicFiles?.test(name) === true ? 0o644 : rule.sharedWrites === true ? 0o660 : forGroup ? 0o640 : 0o600;
  return { owner: directory.owner, group: directory.group, mode };
}
