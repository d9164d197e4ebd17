import { brokerAnswer, testPlatformConfig, uniqueName } from '@crm/testing';
import { KafkaCluster } from './index.js';

/**
 * The primary cluster authenticates every client (SASL/SCRAM) and authorises it by ACLs (tools/kafka-access.ts,
 * applied by deploy/local/kafka.sh; docs/security.md#kafka). Each principal here signs in with the password the
 * infrastructure generated for it in the state directory; the admin principal sets the scene.
 */
const CONTACTS_EVENTS = 'crm.contacts.v1.events';
const CONSENT_EVENTS = 'crm.consent.v1.events';
const IDENTITY_EVENTS = 'crm.identity.v1.events';
const TREE_HEADS = 'crm.audit.v1.tree-heads';
const ANALYTICS_CONTACTS = 'crm.analytics.v1.contacts';

const admin = testPlatformConfig().kafka;
const opened: KafkaCluster[] = [];

/** A client of the primary cluster as `principal`, or without any credentials. */
function clientAs(principal: string | 'nobody'): KafkaCluster {
  const sasl = principal === 'nobody' ? undefined : testPlatformConfig('test', { CRM_KAFKA_USER: principal }).kafka.sasl;
  const cluster = new KafkaCluster({
    name: 'primary',
    brokers: admin.primaryBrokers,
    sasl,
    clientId: uniqueName(`acl-${principal}`),
    publishTimeoutMs: 10_000,
  });
  opened.push(cluster);
  return cluster;
}

const record = { key: 'acl-test', value: Buffer.from('must never be accepted') };

const TOPIC_REFUSED = ['TOPIC_AUTHORIZATION_FAILED'];
/** A producer that may write no topic at all is refused earlier, at the idempotent producer's id. */
const REFUSED = [expect.stringMatching(/^(TOPIC|CLUSTER)_AUTHORIZATION_FAILED$/)];
const readAll = (cluster: KafkaCluster, topic: string, groupId: string) => cluster.readToEnd([topic], () => undefined, { groupId, timeoutMs: 30_000 });

const asAdmin = clientAs('admin');

beforeAll(async () => {
  // The topics as their owners create them (the services may not have run against this cluster yet).
  await asAdmin.ensureTopics([
    { name: CONTACTS_EVENTS, partitions: 6 },
    { name: CONSENT_EVENTS, partitions: 6 },
    { name: IDENTITY_EVENTS, partitions: 6 },
    { name: TREE_HEADS, partitions: 1 },
  ]);
});

afterAll(async () => {
  await Promise.all(opened.map((cluster) => cluster.close()));
});

describe('the primary Kafka cluster without credentials', () => {
  it('refuses a client that does not sign in: it cannot read the contacts events (the admin can)', async () => {
    await expect(asAdmin.endOffsets(CONTACTS_EVENTS)).resolves.toHaveLength(6);

    const anonymous = clientAs('nobody');
    await expect(anonymous.endOffsets(CONTACTS_EVENTS)).rejects.toThrow();
    await expect(readAll(anonymous, CONTACTS_EVENTS, uniqueName('acl-nobody'))).rejects.toThrow();
  });
});

describe('the analyst principal', () => {
  it('reads the analytics topics and the signed tree heads, and nothing else', async () => {
    const analytics = `crm.analytics.v1.${uniqueName('acl')}`;
    await asAdmin.ensureTopics([{ name: analytics, partitions: 1 }]);
    await asAdmin.publish(analytics, [{ key: 'k', value: Buffer.from('an aggregate') }]);
    const analyst = clientAs('analyst');

    const read = await analyst.readFromStart(analytics, (seen) => seen.length >= 1, { groupId: uniqueName('analyst-acl'), timeoutMs: 30_000 });
    expect(read.map((message) => message.value.toString())).toEqual(['an aggregate']);
    await expect(readAll(analyst, TREE_HEADS, uniqueName('analyst-acl'))).resolves.toMatchObject({ records: expect.any(Number) });

    expect(await brokerAnswer(analyst.endOffsets(CONTACTS_EVENTS))).toEqual(TOPIC_REFUSED);
    expect(await brokerAnswer(readAll(analyst, CONTACTS_EVENTS, uniqueName('analyst-acl')))).toEqual(TOPIC_REFUSED);
    await asAdmin.deleteTopics([analytics]);
  });

  it('writes nowhere and creates nothing, not even on the topics it may read', async () => {
    const analytics = `crm.analytics.v1.${uniqueName('acl')}`;
    await asAdmin.ensureTopics([{ name: analytics, partitions: 1 }]);
    const analyst = clientAs('analyst');

    expect(await brokerAnswer(analyst.publish(analytics, [record]))).toEqual(REFUSED);
    expect(await brokerAnswer(analyst.publish(CONTACTS_EVENTS, [record]))).toEqual(REFUSED);
    expect(await brokerAnswer(analyst.ensureTopics([{ name: `crm.analytics.v1.${uniqueName('acl-new')}`, partitions: 1 }]))).toEqual(TOPIC_REFUSED);
    expect(await asAdmin.endOffsets(analytics)).toEqual([0n]);
    await asAdmin.deleteTopics([analytics]);
  });
});

describe('a service principal', () => {
  it('reads what it consumes but cannot write another service’s topic nor read what it does not consume', async () => {
    const contacts = clientAs('contacts');

    // contacts consumes the consent events (its consent-states projection)...
    await expect(readAll(contacts, CONSENT_EVENTS, uniqueName('projection.contacts.acl-test'))).resolves.toMatchObject({ records: expect.any(Number) });
    const before = await asAdmin.endOffsets(CONSENT_EVENTS);
    // ...but may not write them, nor read the identity events.
    expect(await brokerAnswer(contacts.publish(CONSENT_EVENTS, [record]))).toEqual(TOPIC_REFUSED);
    expect(await brokerAnswer(contacts.endOffsets(IDENTITY_EVENTS))).toEqual(TOPIC_REFUSED);
    expect(await asAdmin.endOffsets(CONSENT_EVENTS)).toEqual(before);
  });
  it('contacts writes the analytics stream it derives, and no other analytics topic', async () => {
    const contacts = clientAs('contacts');
    await contacts.ensureTopics([{ name: ANALYTICS_CONTACTS, partitions: 3, cleanupPolicy: 'compact' }]);
    // A tombstone for a pseudonym no one has: harmless on the real stream.
    expect(await brokerAnswer(contacts.publish(ANALYTICS_CONTACTS, [{ key: '0'.repeat(64), value: null }]))).toBe('allowed');
    expect(await brokerAnswer(contacts.ensureTopics([{ name: `crm.analytics.v1.${uniqueName('acl-other')}`, partitions: 1 }]))).toEqual(TOPIC_REFUSED);
  });

  it('records access events only on its own access topic: none in another service’s name, none on the shared topic of before', async () => {
    await asAdmin.ensureTopics([
      { name: 'crm.access.v1.contacts', partitions: 3 },
      { name: 'crm.access.v1.consent', partitions: 3 },
      { name: 'crm.access.v1.events', partitions: 3 },
    ]);
    const consent = clientAs('consent');
    const before = await asAdmin.endOffsets('crm.access.v1.contacts');
    expect(await brokerAnswer(consent.publish('crm.access.v1.contacts', [record]))).toEqual(TOPIC_REFUSED);
    expect(await brokerAnswer(consent.publish('crm.access.v1.events', [record]))).toEqual(TOPIC_REFUSED);
    expect(await asAdmin.endOffsets('crm.access.v1.contacts')).toEqual(before);
    // Its own: what the audit trail then attributes to consent, by the topic it came from.
    const own = await asAdmin.endOffsets('crm.access.v1.consent');
    expect(
      await brokerAnswer(consent.publish('crm.access.v1.consent', [{ key: 'acl-test', value: Buffer.from('not an envelope: dead-lettered by the trail') }])),
    ).toBe('allowed');
    expect((await asAdmin.endOffsets('crm.access.v1.consent')).reduce((a, b) => a + b)).toBe(own.reduce((a, b) => a + b) + 1n);
  });
});
