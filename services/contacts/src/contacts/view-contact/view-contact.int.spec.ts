import { AccessChannel, ContactDataAccessedSchema, decodeEnvelope, decodePayload } from '@crm/contracts';
import { KafkaCluster } from '@crm/messaging';
import { uniqueName } from '@crm/testing';
import { useContactsApp, WRITER } from '../../testing/contacts.fixture.js';

const { call, create, actor, config } = useContactsApp();
const kafka = new KafkaCluster({ name: 'primary', brokers: config.kafka.primaryBrokers, sasl: config.kafka.sasl, clientId: 'contacts-int-test' });
afterAll(() => kafka.close());

describe('contacts: view one', () => {
  it('answers 404 CONTACT_NOT_FOUND for an id that never existed, and for what is not an id', async () => {
    const missing = await call('GET', '/v1/contacts/0190a000-0000-7000-8000-000000000000?purpose=sales', WRITER);
    expect([missing.status, missing.body.code]).toEqual([404, 'CONTACT_NOT_FOUND']);
    expect((await call('GET', '/v1/contacts/not-an-id?purpose=sales', WRITER)).status).toBe(404);
  });
});

describe('contacts: reads are processing', () => {
  it('publishes one ContactDataAccessed per contact shown, with actor, purpose and the fields, never values', async () => {
    const { body: json } = await create('Seen');
    await call('GET', `/v1/contacts/${json.id}?purpose=marketing&legalBasis=legitimate-interests`, WRITER);

    const isMine = (message: { value: Uint8Array }) => {
      const envelope = decodeEnvelope(message.value);
      return envelope.subjectId === json.id && envelope.payloadType === ContactDataAccessedSchema.typeName && envelope.purpose === 'marketing';
    };
    // Reads until the record arrives (or the timeout): waiting by polling the topic, never by sleeping.
    const seen = await kafka.readFromStart('crm.access.v1.contacts', (messages) => isMine(messages.at(-1)!), {
      groupId: uniqueName('it-access'),
      timeoutMs: 30_000,
    });
    const envelope = decodeEnvelope(seen.filter(isMine)[0]!.value);
    expect({ purpose: envelope.purpose, actor: envelope.actor?.id, ...decodePayload(envelope, ContactDataAccessedSchema) }).toMatchObject({
      purpose: 'marketing',
      actor,
      channel: AccessChannel.VIEW,
      fields: ['name.given', 'name.family', 'emails[]'],
    });
  });
});
