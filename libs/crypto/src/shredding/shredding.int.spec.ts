import { KafkaCluster, type IncomingMessage } from '@crm/messaging';
import { expectEventually, testPlatformConfig, uniqueName } from '@crm/testing';
import { FieldCipher } from '../field-cipher/field.cipher.js';
import { CachingKeyStore } from '../keys/caching-key.store.js';
import { scratchKeyVault, type ScratchKeyVault } from '../keys/scratch-key-vault.fixture.js';
import { protobufShredAnnouncementCodec } from './subject-key-shredded.codec.js';
import { SHREDDED_KEYS_TOPIC, ShredAnnouncer } from './shred.announcer.js';
import { ShredListener } from './shred.listener.js';
import { SubjectShredder } from './subject.shredder.js';

const config = testPlatformConfig();
const kafka = new KafkaCluster({ name: 'primary', brokers: config.kafka.primaryBrokers, sasl: config.kafka.sasl, clientId: 'crypto-int-test' });
let vault: ScratchKeyVault;

beforeAll(async () => {
  vault = await scratchKeyVault(config.postgres!);
});

afterAll(async () => {
  await kafka.close();
  await vault.dispose();
});

describe('the shred announcement topic', () => {
  it('is created with an explicit partition count and kept forever', async () => {
    const announcer = new ShredAnnouncer(kafka);

    await announcer.ensureTopic();

    expect(announcer.topic).toEqual({ name: SHREDDED_KEYS_TOPIC, partitions: 3, retentionMs: -1 });
    expect(await kafka.listTopics()).toContain(SHREDDED_KEYS_TOPIC);
  });
});

describe('shredding a subject across processes', () => {
  it('given two processes holding a subject DEK in their caches, when one shreds it, then the other learns it from Kafka and evicts', async () => {
    const topic = uniqueName('it-crm.keys.v1.shredded');
    const announcer = new ShredAnnouncer(kafka, { topic, partitions: 2 });
    await announcer.ensureTopic();
    const here = new CachingKeyStore((await vault.openStore()).store);
    const there = new CachingKeyStore((await vault.openStore()).store);
    const subjectId = uniqueName('subject');
    const bystander = uniqueName('subject');
    const sealed = await new FieldCipher(here).seal(subjectId, 'contacts.contact.email', 'marker-51aa@example.com');
    expect(await new FieldCipher(there).openText(subjectId, 'contacts.contact.email', sealed)).toBe('marker-51aa@example.com');
    await there.dekFor(bystander);
    expect(there.holds(subjectId)).toBe(true);

    const result = await new SubjectShredder({ keyStore: here, caches: [here], announcer }).shredSubject(subjectId, 'ERASURE_REQUEST');

    expect(here.holds(subjectId)).toBe(false);
    const listener = new ShredListener(there);
    let handled = 0;
    const received: IncomingMessage[] = [];
    const reading = kafka.readFromStart(
      topic,
      (seen) => {
        listener.handle(seen.slice(handled));
        received.push(...seen.slice(handled));
        handled = seen.length;
        return !there.holds(subjectId);
      },
      { groupId: uniqueName('it-shred-listener'), timeoutMs: 20_000 },
    );
    await expectEventually(() => expect(there.holds(subjectId)).toBe(false), { timeoutMs: 20_000 });
    await reading;

    expect(there.holds(bystander)).toBe(true);
    await expect(new FieldCipher(there).open(subjectId, 'contacts.contact.email', sealed)).rejects.toMatchObject({ code: 'KEY_SHREDDED' });
    const [message] = received;
    expect(message).toMatchObject({
      key: subjectId,
      headers: { 'content-type': protobufShredAnnouncementCodec.contentType, 'message-type': 'crm.keys.v1.SubjectKeyShredded' },
    });
    expect(protobufShredAnnouncementCodec.decode(message!.value)).toEqual({
      subjectId,
      shreddedAt: result.erasedAt,
      keyVersions: [1],
      reason: 'ERASURE_REQUEST',
    });
    expect(message!.value.toString()).not.toContain('marker-51aa');
  });

  it('given a shred whose announcement is repeated, then shredding again is harmless and announces again', async () => {
    const topic = uniqueName('it-crm.keys.v1.shredded');
    const announcer = new ShredAnnouncer(kafka, { topic, partitions: 1 });
    await announcer.ensureTopic();
    const keys = new CachingKeyStore((await vault.openStore()).store);
    const shredder = new SubjectShredder({ keyStore: keys, caches: [keys], announcer });
    const subjectId = uniqueName('subject');
    await keys.dekFor(subjectId);

    const first = await shredder.shredSubject(subjectId, 'ERASURE_REQUEST');
    const second = await shredder.shredSubject(subjectId, 'ERASURE_REQUEST');

    expect(second).toEqual({ ...first, alreadyShredded: true });
    const messages = await kafka.readFromStart(topic, (seen) => seen.length >= 2, { groupId: uniqueName('it-shred-reader'), timeoutMs: 20_000 });
    expect(messages.map((message) => protobufShredAnnouncementCodec.decode(message.value).shreddedAt)).toEqual([first.erasedAt, first.erasedAt]);
  });
});
