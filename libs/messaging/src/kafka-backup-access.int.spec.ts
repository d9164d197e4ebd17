import { brokerAnswer, testPlatformConfig, uniqueName } from '@crm/testing';
import { KafkaCluster } from './index.js';

/**
 * The backup cluster holds the mirrored history of every topic, personal data included, so it authenticates every
 * client (SASL/SCRAM) and authorises it by ACLs like the primary (tools/kafka-access.ts's BACKUP_GRANTS, applied by
 * deploy/local/kafka.sh; docs/security.md#kafka): MirrorMaker writes there, the backup service reads, audit reads the
 * mirrored tree heads; nobody else, and the principals that have no business there have no credential on it.
 */
const CONTACTS_EVENTS = 'crm.contacts.v1.events';
const TREE_HEADS = 'crm.audit.v1.tree-heads';

const settings = testPlatformConfig().kafka;
const opened: KafkaCluster[] = [];

/** A client of the backup cluster as `principal` (with the password generated for it), or without credentials. */
function backupClientAs(principal: string | 'nobody'): KafkaCluster {
  const sasl = principal === 'nobody' ? undefined : testPlatformConfig('test', { CRM_KAFKA_USER: principal }).kafka.sasl;
  const cluster = new KafkaCluster({
    name: 'backup',
    brokers: settings.backupBrokers,
    sasl,
    clientId: uniqueName(`backup-acl-${principal}`),
    publishTimeoutMs: 10_000,
  });
  opened.push(cluster);
  return cluster;
}

const TOPIC_REFUSED = ['TOPIC_AUTHORIZATION_FAILED'];
const REFUSED = [expect.stringMatching(/^(TOPIC|CLUSTER)_AUTHORIZATION_FAILED$/)];
const readAll = (cluster: KafkaCluster, topic: string, groupId: string) => cluster.readToEnd([topic], () => undefined, { groupId, timeoutMs: 30_000 });

const asAdmin = backupClientAs('admin');

beforeAll(async () => {
  // The mirrored topics as the mirror creates them (it may not have copied them to this cluster yet).
  await asAdmin.ensureTopics([
    { name: CONTACTS_EVENTS, partitions: 6 },
    { name: TREE_HEADS, partitions: 1 },
  ]);
});

afterAll(async () => {
  await Promise.all(opened.map((cluster) => cluster.close()));
});

describe('the backup Kafka cluster', () => {
  it('refuses a client without credentials: it cannot read the mirrored contacts events (the admin can)', async () => {
    await expect(asAdmin.endOffsets(CONTACTS_EVENTS)).resolves.toHaveLength(6);

    const anonymous = backupClientAs('nobody');
    await expect(anonymous.endOffsets(CONTACTS_EVENTS)).rejects.toThrow();
    await expect(readAll(anonymous, CONTACTS_EVENTS, uniqueName('crm-acl-nobody'))).rejects.toThrow();
  });

  it("refuses the analyst's credentials (and a service's that has no business there): no principal of theirs on the backup cluster", async () => {
    for (const principal of ['analyst', 'contacts']) {
      const stranger = backupClientAs(principal);
      await expect(stranger.endOffsets(CONTACTS_EVENTS)).rejects.toThrow();
      await expect(readAll(stranger, CONTACTS_EVENTS, uniqueName(`crm-acl-${principal}`))).rejects.toThrow();
    }
  });

  it('lets the backup service read the mirrored events (restores, drills, mirror progress) but write nothing; the mirror writes but does not read them', async () => {
    // A topic of the kind the mirror writes, with a record in it (this cluster's copy of the contacts events may be empty).
    const mirrored = `crm.acltest.v1.${uniqueName('events')}`;
    await asAdmin.ensureTopics([{ name: mirrored, partitions: 1 }]);
    await asAdmin.publish(mirrored, [{ key: 'k', value: Buffer.from('a mirrored event') }]);
    const backup = backupClientAs('backup');

    await expect(backup.endOffsets(CONTACTS_EVENTS)).resolves.toHaveLength(6);
    await expect(readAll(backup, mirrored, uniqueName('crm-acl-backup'))).resolves.toMatchObject({ records: 1 });
    expect(await brokerAnswer(backup.publish(mirrored, [{ key: 'acl-test', value: Buffer.from('must never be accepted') }]))).toEqual(REFUSED);
    expect(await brokerAnswer(readAll(backupClientAs('mirror'), mirrored, uniqueName('mm2-acl')))).toEqual(TOPIC_REFUSED);
    expect(await asAdmin.endOffsets(mirrored)).toEqual([1n]);
    await asAdmin.deleteTopics([mirrored]);
  });

  it('lets audit read the mirrored tree heads, and nothing else', async () => {
    const audit = backupClientAs('audit');
    await expect(readAll(audit, TREE_HEADS, uniqueName('audit-tree-head-reader-acl'))).resolves.toMatchObject({ records: expect.any(Number) });
    expect(await brokerAnswer(audit.endOffsets(CONTACTS_EVENTS))).toEqual(TOPIC_REFUSED);
  });
});
