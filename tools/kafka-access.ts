// Who may connect to a Kafka cluster and what each principal may do there, applied by deploy/local/kafka.sh after
// every start of either cluster:
//   node tools/kafka-access.ts <host:port> <principal>...   (as admin; CRM_STATE_DIR names the secrets,
//                                                            CRM_KAFKA_CLUSTER=primary|backup which grants apply)
// 1. Every principal named has a SCRAM-SHA-512 credential, its password from <state>/secrets/kafka-<name>.password
//    (a cluster formatted with them already has them all; one formatted before it was secured gets them here).
// 2. The cluster's ACLs are exactly its grants (GRANTS on the primary, BACKUP_GRANTS on the backup): missing ones are
//    added, others removed. Kafka keeps both in its metadata, so this is idempotent. Design: docs/security.md#kafka.
//
// Rules of thumb: a service WRITEs only its own topics (its event topic, the shared announcement topics every
// service contributes to, and the dead letters of what it consumes) and READs only what it consumes; CREATE on the
// same topics, because a service creates on start the topics it writes or reads (`ensureTopics`) rather than fail
// on a fresh cluster; its consumer groups by prefix. READ and WRITE imply DESCRIBE; WRITE on a topic also allows
// the idempotent producer (KIP-679). `admin` is the broker's super user and needs no ACL.
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Admin,
  AclOperations,
  AclPermissionTypes,
  alterUserScramCredentialsV0,
  Connection,
  describeUserScramCredentialsV0,
  ResourcePatternTypes,
  ResourceTypes,
  ScramMechanisms,
  type Acl,
} from '@platformatic/kafka';

type Operation = keyof typeof AclOperations;

interface Grant {
  principal: string;
  resource: 'topic' | 'group' | 'cluster' | 'transactional-id';
  /** LITERAL names a resource; PREFIXED every resource whose name starts with it. */
  pattern: 'literal' | 'prefixed';
  names: readonly string[];
  operations: readonly Operation[];
}

const events = (context: string): string => `crm.${context}.v1.events`;
/** The group an outbox relay reads its topics' tails with (`OutboxRelay`, one per event-store schema). */
const outboxCheck = (schema: string): string => `outbox-relay-check.${schema}`;
const dlq = (topic: string): string => `${topic}.dlq`;
/** A service's own access topic (who was shown or refused personal data): it alone may write it. */
const access = (service: string): string => `crm.access.v1.${service}`;
/** Every service that records access events (each through its guard's refusals, some through reads too). */
const RECORDERS = ['identity', 'contacts', 'consent', 'audit', 'backup', 'gateway'];
/** The shared access topic of before: the trail keeps its history; nobody writes it any more. */
const LEGACY_ACCESS = events('access');
const SHREDDED = 'crm.keys.v1.shredded';
const KEK_ROTATED = 'crm.keys.v1.kek-rotated';
const TREE_HEADS = 'crm.audit.v1.tree-heads';
const ANALYTICS_CONTACTS = 'crm.analytics.v1.contacts';
/** The topics the audit trail ingests: every service's events and access topic, and the legacy shared access topic. */
const TRAIL_SOURCES = [...['identity', 'contacts', 'consent', 'audit', 'backup'].map(events), ...RECORDERS.map(access), LEGACY_ACCESS];

/** A service built on the backbone (event store, outbox, subject keys): identity, contacts, consent. */
function backboneService(service: string, consumes: readonly string[]): Grant[] {
  const reads = [SHREDDED, KEK_ROTATED, ...consumes];
  const writes = [events(service), access(service), SHREDDED, KEK_ROTATED, ...reads.map(dlq)];
  return [
    { principal: service, resource: 'topic', pattern: 'literal', names: writes, operations: ['WRITE', 'CREATE'] },
    // Its own events too: the outbox relay reads their tail after a crash, so as not to publish an event twice.
    { principal: service, resource: 'topic', pattern: 'literal', names: [...reads, events(service)], operations: ['READ', 'CREATE'] },
    {
      principal: service,
      resource: 'group',
      pattern: 'prefixed',
      names: [`projection.${service}.`, `reaction.${service}.`, `key-eviction.${service}.`, `kek-eviction.${service}.`, outboxCheck(service)],
      operations: ['READ'],
    },
  ];
}

export const GRANTS: readonly Grant[] = [
  ...backboneService('identity', []),
  ...backboneService('contacts', [events('consent'), events('audit')]),
  // contacts derives the analytics streams (it alone holds the keys to open the contacts' data; docs/analytics.md)
  // from its own events, whose poison messages its reactor dead-letters.
  { principal: 'contacts', resource: 'topic', pattern: 'literal', names: [ANALYTICS_CONTACTS, dlq(events('contacts'))], operations: ['WRITE', 'CREATE'] },
  ...backboneService('consent', [events('contacts'), events('audit')]),
  // audit: the trail (reads every source, writes its register events and the signed tree heads it reads back).
  {
    principal: 'audit',
    resource: 'topic',
    pattern: 'literal',
    names: [events('audit'), TREE_HEADS, access('audit'), ...TRAIL_SOURCES.map(dlq)],
    operations: ['WRITE', 'CREATE'],
  },
  { principal: 'audit', resource: 'topic', pattern: 'literal', names: [...TRAIL_SOURCES, TREE_HEADS], operations: ['READ', 'CREATE'] },
  // Its ingest groups are `audit.<log id>`, its tree-head readers `audit-tree-head-reader-<uuid>`.
  { principal: 'audit', resource: 'group', pattern: 'prefixed', names: ['audit', outboxCheck('audit')], operations: ['READ'] },
  // backup: its drill reports; the mirror's lag needs every topic's end offsets (DESCRIBE, not READ).
  { principal: 'backup', resource: 'topic', pattern: 'literal', names: [events('backup'), access('backup')], operations: ['WRITE', 'CREATE'] },
  { principal: 'backup', resource: 'topic', pattern: 'prefixed', names: ['crm.'], operations: ['DESCRIBE'] },
  // gateway: keeps no data; like every service it records the requests it refuses (PermissionDenied).
  { principal: 'gateway', resource: 'topic', pattern: 'literal', names: [access('gateway')], operations: ['WRITE', 'CREATE'] },
  // MirrorMaker 2 copies every crm.* topic with its configuration to the backup cluster.
  { principal: 'mirror', resource: 'topic', pattern: 'prefixed', names: ['crm.'], operations: ['READ', 'DESCRIBE_CONFIGS'] },
  { principal: 'mirror', resource: 'cluster', pattern: 'literal', names: ['kafka-cluster'], operations: ['DESCRIBE'] },
  // Analysts: the analytics topics and the audit log's signed tree heads, nothing else; groups named analyst-….
  { principal: 'analyst', resource: 'topic', pattern: 'prefixed', names: ['crm.analytics.v1.'], operations: ['READ'] },
  { principal: 'analyst', resource: 'topic', pattern: 'literal', names: [TREE_HEADS], operations: ['READ'] },
  { principal: 'analyst', resource: 'group', pattern: 'prefixed', names: ['analyst'], operations: ['READ'] },
];

/**
 * The backup cluster holds the mirrored history of every topic, personal data included, so it is locked down like the
 * primary and tighter: MirrorMaker writes the mirrored topics (with their configuration) and its own internal topics,
 * groups and transactions (dedicated mode, exactly-once: named after the source cluster, `primary-mm2…`,
 * `connect-cluster-primary-mm2`, `mm2-…`, `primary.checkpoints.internal`); the backup service reads what it restores, drills and measures the mirror's
 * progress with (its groups are `crm-…`); audit reads the mirrored tree heads its daily verification compares the
 * trail with, nothing else. Nobody writes there but the mirror and admin (the restore CLI and the tests).
 */
export const BACKUP_GRANTS: readonly Grant[] = [
  {
    principal: 'mirror',
    resource: 'topic',
    pattern: 'prefixed',
    names: ['crm.'],
    operations: ['WRITE', 'CREATE', 'DESCRIBE', 'ALTER', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS'],
  },
  {
    principal: 'mirror',
    resource: 'topic',
    pattern: 'prefixed',
    names: ['mm2-', 'primary.', 'heartbeats'],
    operations: ['READ', 'WRITE', 'CREATE', 'DESCRIBE', 'DESCRIBE_CONFIGS'],
  },
  { principal: 'mirror', resource: 'group', pattern: 'prefixed', names: ['primary-mm2', 'mm2'], operations: ['READ', 'DESCRIBE'] },
  // Its tasks' transactions are `primary-mm2-<connector>-<task>`; the Connect leader's, for the config topic, `connect-cluster-primary-mm2`.
  {
    principal: 'mirror',
    resource: 'transactional-id',
    pattern: 'prefixed',
    names: ['primary-mm2', 'connect-cluster-primary-mm2'],
    operations: ['WRITE', 'DESCRIBE'],
  },
  { principal: 'mirror', resource: 'cluster', pattern: 'literal', names: ['kafka-cluster'], operations: ['DESCRIBE', 'DESCRIBE_CONFIGS', 'IDEMPOTENT_WRITE'] },
  { principal: 'backup', resource: 'topic', pattern: 'prefixed', names: ['crm.'], operations: ['READ', 'DESCRIBE'] },
  // The mirror's progress is its committed source offsets (mirror-progress.ts): read, never written, by the backup service.
  { principal: 'backup', resource: 'topic', pattern: 'literal', names: ['mm2-offsets.primary.internal'], operations: ['READ', 'DESCRIBE'] },
  { principal: 'backup', resource: 'group', pattern: 'prefixed', names: ['crm-'], operations: ['READ'] },
  { principal: 'audit', resource: 'topic', pattern: 'literal', names: [TREE_HEADS], operations: ['READ'] },
  { principal: 'audit', resource: 'group', pattern: 'prefixed', names: ['audit-tree-head-reader-'], operations: ['READ'] },
];

const RESOURCE = {
  topic: ResourceTypes.TOPIC,
  group: ResourceTypes.GROUP,
  cluster: ResourceTypes.CLUSTER,
  'transactional-id': ResourceTypes.TRANSACTIONAL_ID,
} as const;
const PATTERN = { literal: ResourcePatternTypes.LITERAL, prefixed: ResourcePatternTypes.PREFIXED } as const;

export function acls(grants: readonly Grant[]): Acl[] {
  return grants.flatMap((grant) =>
    grant.names.flatMap((name) =>
      grant.operations.map((operation) => ({
        resourceType: RESOURCE[grant.resource],
        resourceName: name,
        resourcePatternType: PATTERN[grant.pattern],
        principal: `User:${grant.principal}`,
        host: '*',
        operation: AclOperations[operation],
        permissionType: AclPermissionTypes.ALLOW,
      })),
    ),
  );
}

const key = (acl: Acl): string =>
  [acl.resourceType, acl.resourceName, acl.resourcePatternType, acl.principal, acl.host, acl.operation, acl.permissionType].join('|');

const SCRAM_ITERATIONS = 8192;

/**
 * Adds the SCRAM-SHA-512 credential of each principal that has none (RFC 5802: the broker stores the salted
 * password, PBKDF2-HMAC-SHA-512 over a random salt, never the password).
 */
async function ensureScramUsers(
  host: string,
  port: number,
  sasl: { mechanism: 'SCRAM-SHA-512' | 'PLAIN'; username: string; password: string },
  principals: string[],
  secret: (name: string) => string,
): Promise<string[]> {
  const connection = new Connection('crm-kafka-access', { sasl });
  await connection.connect(host, port);
  try {
    const described = await describeUserScramCredentialsV0.api.async(connection, null);
    const have = new Set(
      described.results
        .filter((result) => result.credentialInfos.some((info) => info.mechanism === ScramMechanisms.SCRAM_SHA_512))
        .map((result) => result.user),
    );
    const missing = principals.filter((name) => !have.has(name));
    if (missing.length === 0) return [];
    const upsertions = missing.map((name) => {
      const salt = randomBytes(32);
      return {
        name,
        mechanism: ScramMechanisms.SCRAM_SHA_512,
        iterations: SCRAM_ITERATIONS,
        salt,
        saltedPassword: pbkdf2Sync(secret(name), salt, SCRAM_ITERATIONS, 64, 'sha512'),
      };
    });
    const altered = await alterUserScramCredentialsV0.api.async(connection, [], upsertions);
    const failed = altered.results.filter((result) => result.errorCode !== 0);
    if (failed.length > 0) throw new Error(`SCRAM credentials not added: ${failed.map((result) => `${result.user} (error ${result.errorCode})`).join(', ')}`);
    return missing;
  } finally {
    await connection.close();
  }
}

async function main(): Promise<void> {
  const [brokers, ...principals] = process.argv.slice(2);
  const stateDir = process.env.CRM_STATE_DIR;
  if (brokers === undefined || stateDir === undefined) throw new Error('usage: CRM_STATE_DIR=<state> node tools/kafka-access.ts <host:port> <principal>...');
  const secret = (name: string): string => readFileSync(join(stateDir, 'secrets', `kafka-${name}.password`), 'utf8').trim();
  // A cluster formatted before it was secured has no SCRAM credential for admin yet; kafka.sh then lets admin sign
  // in with PLAIN until the broker's next start (CRM_KAFKA_ADMIN_MECHANISM=PLAIN).
  const mechanism = process.env.CRM_KAFKA_ADMIN_MECHANISM === 'PLAIN' ? 'PLAIN' : 'SCRAM-SHA-512';
  const sasl = { mechanism, username: 'admin', password: secret('admin') } as const;
  const [host, port] = brokers.split(',')[0]!.split(':');
  const added = await ensureScramUsers(host!, Number(port), sasl, principals, secret);
  if (added.length > 0) process.stdout.write(`kafka SCRAM credentials added: ${added.join(', ')}\n`);
  const admin = new Admin({ clientId: 'crm-kafka-access', bootstrapBrokers: brokers.split(','), sasl, retries: 3 });
  try {
    const wanted = acls(process.env.CRM_KAFKA_CLUSTER === 'backup' ? BACKUP_GRANTS : GRANTS);
    const any = { resourceName: null, principal: null, host: null };
    const present = (
      await admin.describeAcls({
        filter: {
          ...any,
          resourceType: ResourceTypes.ANY,
          resourcePatternType: ResourcePatternTypes.ANY,
          operation: AclOperations.ANY,
          permissionType: AclPermissionTypes.ANY,
        },
      })
    ).flatMap(({ acls: granted, ...target }) => granted.map((permission) => ({ ...target, ...permission })));
    const presentKeys = new Set(present.map(key));
    const wantedKeys = new Set(wanted.map(key));
    const missing = wanted.filter((acl) => !presentKeys.has(key(acl)));
    const stale = present.filter((acl) => !wantedKeys.has(key(acl)));
    if (missing.length > 0) await admin.createAcls({ creations: missing });
    if (stale.length > 0) await admin.deleteAcls({ filters: stale });
    process.stdout.write(`kafka ACLs: ${wanted.length} wanted, ${missing.length} added, ${stale.length} removed\n`);
  } finally {
    await admin.close();
  }
}

if (import.meta.main) await main();
