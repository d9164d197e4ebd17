import {
  AccessChannel,
  ActorType,
  ConsentGivenSchema,
  ConsentWithdrawnSchema,
  ContactProcessingRefusedSchema,
  decodeEnvelope,
  decodePayload,
  EventEnvelopeSchema,
  LegalBasis,
  ObjectionRecordedSchema,
  ProcessingRefusalReason,
  timestampFromDate,
  toBinary,
} from '@crm/contracts';
import { createEnvelope, envelopeHeaders, protoEvent, type NewEvent } from '@crm/eventstore';
import { KafkaCluster, type OutgoingMessage } from '@crm/messaging';
import { PG_POOL, type Pool } from '@crm/postgres';
import { expectEventually, uniqueName } from '@crm/testing';
import { DPO, person, useContactsApp, WRITER } from '../testing/contacts.fixture.js';
import { CONSENT_TOPIC } from './consent-states.projection.js';

// The consent-states projector as the service hosts it (the Kafka event transport of the contacts app), fed with
// consent's events as consent publishes them (`crm.consent.v1.events`, stream `consent-<contactId>`), and the reads it
// governs. Waiting is polling, never sleeping.
const contacts = useContactsApp();
const { call, create, config, actor } = contacts;
const kafka = new KafkaCluster({ name: 'primary', brokers: config.kafka.primaryBrokers, sasl: config.kafka.sasl, clientId: 'contacts-consent-it' });
afterAll(() => kafka.close());

const WITHIN = { timeoutMs: 20_000, intervalMs: 100 };

/** One consent event as the consent service's relay publishes it: version `version` of the contact's consent stream. */
function consentMessage(contactId: string, version: bigint, event: NewEvent): OutgoingMessage {
  const metadata = {
    actor: { id: 'consent-it', type: ActorType.USER },
    purpose: 'data-subject-rights',
    legalBasis: LegalBasis.LEGAL_OBLIGATION,
    correlationId: uniqueName('c'),
  };
  const envelope = createEnvelope(`consent-${contactId}`, version, event, metadata, new Date());
  return { key: contactId, value: toBinary(EventEnvelopeSchema, envelope), headers: envelopeHeaders(envelope.eventType, envelope.eventId) };
}
const now = () => timestampFromDate(new Date());
const given = (contactId: string, purpose = 'marketing') =>
  protoEvent(ConsentGivenSchema, { contactId, purpose, catalogueVersion: 1, noticeVersion: '2026-11', channel: 1, givenAt: now() }, contactId);
const withdrawn = (contactId: string, purpose = 'marketing') => protoEvent(ConsentWithdrawnSchema, { contactId, purpose, withdrawnAt: now() }, contactId);
const objection = (contactId: string, purpose = 'marketing') =>
  protoEvent(ObjectionRecordedSchema, { contactId, purpose, catalogueVersion: 1, recordedAt: now() }, contactId);

async function stateRow(contactId: string, purpose = 'marketing') {
  const { rows } = await contacts.app
    .get<Pool>(PG_POOL)
    .query<{ consent_in_force: boolean; objected: boolean }>(
      'SELECT consent_in_force, objected FROM contacts.consent_states WHERE contact_id = $1 AND purpose = $2',
      [contactId, purpose],
    );
  return rows[0];
}

beforeAll(async () => {
  await kafka.ensureTopics([{ name: CONSENT_TOPIC, partitions: 6 }]);
});

describe('contacts: the consent-states projector', () => {
  it('keeps per contact and purpose whether consent is in force and whether an objection is recorded, once per stream version', async () => {
    const contactId = crypto.randomUUID();
    const first = consentMessage(contactId, 1n, given(contactId));
    await kafka.publish(CONSENT_TOPIC, [first]);
    await expectEventually(async () => expect(await stateRow(contactId)).toEqual({ consent_in_force: true, objected: false }), WITHIN);

    await kafka.publish(CONSENT_TOPIC, [consentMessage(contactId, 2n, withdrawn(contactId))]);
    await expectEventually(async () => expect(await stateRow(contactId)).toEqual({ consent_in_force: false, objected: false }), WITHIN);

    // The relay republishes version 1 (at-least-once): skipped, so the withdrawal stands. The objection behind it in
    // the same partition shows the republished event was consumed first.
    await kafka.publish(CONSENT_TOPIC, [first, consentMessage(contactId, 3n, objection(contactId)), consentMessage(contactId, 4n, given(contactId, 'other'))]);
    await expectEventually(async () => expect(await stateRow(contactId, 'other')).toBeDefined(), WITHIN);
    expect(await stateRow(contactId)).toEqual({ consent_in_force: false, objected: true });
  });
});

describe('contacts: reads need their lawful basis', () => {
  it('answers a marketing read on consent only while consent is in force; search and export leave the contact out otherwise; each refusal is recorded', async () => {
    const marker = `Cons${Date.now().toString(36)}`;
    const { body: contact } = await create(marker);
    const email = person(marker).emails[0]!;
    const view = () => call('GET', `/v1/contacts/${contact.id}?purpose=marketing`, WRITER);
    const found = async () =>
      (await call('GET', `/v1/contacts?purpose=marketing&email=${encodeURIComponent(email)}`, WRITER)).body.items.map((item: { id: string }) => item.id);
    const exported = async () =>
      (await call('POST', '/v1/contacts/export', DPO, { purpose: 'marketing', format: 'json', contactIds: [contact.id] }, {}, 10)).body.contacts.map(
        (row: { id: string }) => row.id,
      );

    const before = await view();
    expect([before.status, before.body.code]).toEqual([403, 'CONSENT_REQUIRED']);
    expect(await found()).toEqual([]);
    // Other purposes rest on other bases: consent does not concern them.
    expect((await call('GET', `/v1/contacts/${contact.id}?purpose=sales`, WRITER)).status).toBe(200);

    await kafka.publish(CONSENT_TOPIC, [consentMessage(contact.id, 1n, given(contact.id))]);
    await expectEventually(async () => expect((await view()).status).toBe(200), WITHIN);
    expect(await found()).toEqual([contact.id]);
    expect(await exported()).toEqual([contact.id]);
    expect((await call('GET', `/v1/contacts/${contact.id}/transactions?purpose=marketing`, WRITER)).status).toBe(200);

    await kafka.publish(CONSENT_TOPIC, [consentMessage(contact.id, 2n, withdrawn(contact.id))]);
    await expectEventually(async () => expect((await view()).body.code).toBe('CONSENT_REQUIRED'), WITHIN);
    const purchases = await call('GET', `/v1/contacts/${contact.id}/transactions?purpose=marketing`, WRITER);
    expect([purchases.status, purchases.body.code]).toEqual([403, 'CONSENT_REQUIRED']);
    expect(await found()).toEqual([]);
    expect(await exported()).toEqual([]);

    // The refusals are access events: contact, channel, reason, the purpose and basis claimed; nothing shown.
    const isRefusal = (message: { value: Uint8Array }) => {
      const envelope = decodeEnvelope(message.value);
      return envelope.subjectId === contact.id && envelope.payloadType === ContactProcessingRefusedSchema.typeName;
    };
    // The topic holds every read ever recorded: look at each message once, as it arrives, until the export's refusal
    // (the last one made above) is there.
    const isExportRefusal = (message: { value: Uint8Array }) =>
      isRefusal(message) && decodePayload(decodeEnvelope(message.value), ContactProcessingRefusedSchema).channel === AccessChannel.EXPORT;
    const seen = await kafka.readFromStart('crm.access.v1.contacts', (messages) => isExportRefusal(messages.at(-1)!), {
      groupId: uniqueName('it-refusals'),
      timeoutMs: 60_000,
    });
    const refusals = seen.filter(isRefusal).map((message) => {
      const envelope = decodeEnvelope(message.value);
      const payload = decodePayload(envelope, ContactProcessingRefusedSchema);
      return { purpose: envelope.purpose, basis: envelope.legalBasis, actor: envelope.actor?.id, channel: payload.channel, reason: payload.reason };
    });
    const refusal = (channel: AccessChannel) => ({
      purpose: 'marketing',
      basis: LegalBasis.CONSENT,
      actor,
      channel,
      reason: ProcessingRefusalReason.CONSENT_REQUIRED,
    });
    expect(refusals).toEqual(expect.arrayContaining([refusal(AccessChannel.VIEW), refusal(AccessChannel.EXPORT)]));
  });

  it('lets marketing on legitimate interests go without consent until the contact objects; analytics stops at an objection too', async () => {
    const { body: contact } = await create('Obj');
    const soft = () => call('GET', `/v1/contacts/${contact.id}?purpose=marketing&legalBasis=legitimate-interests`, WRITER);
    const analytics = () => call('GET', `/v1/contacts/${contact.id}?purpose=analytics`, WRITER);
    expect((await soft()).status).toBe(200);
    expect((await analytics()).status).toBe(200);

    await kafka.publish(CONSENT_TOPIC, [
      consentMessage(contact.id, 1n, objection(contact.id)),
      consentMessage(contact.id, 2n, objection(contact.id, 'analytics')),
    ]);
    await expectEventually(async () => expect([(await soft()).status, (await soft()).body.code]).toEqual([403, 'OBJECTION_RECORDED']), WITHIN);
    await expectEventually(async () => expect((await analytics()).body.code).toBe('OBJECTION_RECORDED'), WITHIN);
    const onConsent = await call('GET', `/v1/contacts/${contact.id}?purpose=marketing`, WRITER);
    expect(onConsent.body.code).toBe('OBJECTION_RECORDED');
    const listed = await call('GET', `/v1/contacts?purpose=marketing&legalBasis=legitimate-interests&name=Obj`, WRITER);
    expect(listed.body.items.map((item: { id: string }) => item.id)).not.toContain(contact.id);
  });

  it('refuses a read that claims a basis its purpose cannot rest on', async () => {
    const { body: contact } = await create('Claim');
    const claimed = await call('GET', `/v1/contacts/${contact.id}?purpose=marketing&legalBasis=contract`, WRITER);
    expect([claimed.status, claimed.body.code]).toEqual([400, 'LEGAL_BASIS_NOT_APPLICABLE']);
    const exported = await call(
      'POST',
      '/v1/contacts/export',
      DPO,
      { purpose: 'marketing', legalBasis: 'contract', format: 'json', contactIds: [contact.id] },
      {},
      10,
    );
    expect([exported.status, exported.body.code]).toEqual([400, 'LEGAL_BASIS_NOT_APPLICABLE']);
  });
});
