import { create, EventEnvelopeSchema, LegalBasis } from '@crm/contracts';
import { contactCreated, contactDataAccessed, contactRectified, encode, unknownEvent } from '../testing/audit.fixtures.js';
import { envelopeToEntry } from './envelope-to-entry.js';

const source = { topic: 'crm.contacts.v1.events', partition: 2, offset: 41n };

describe('what the audit trail keeps of an envelope', () => {
  it('given ContactCreated, then the entry has the GDPR metadata and the paths of the created fields, not their values', () => {
    const envelope = contactCreated('contact-1', ['name.given', 'emails', 'name.family'], {
      actorId: 'user-7',
      purpose: 'sales',
      legalBasis: LegalBasis.CONSENT,
      occurredAt: new Date('2026-02-03T04:05:06.789Z'),
    });
    const entry = envelopeToEntry(envelope, source, encode(envelope));
    expect(entry).toMatchObject({
      eventId: envelope.eventId,
      action: 'crm.contacts.v1.ContactCreated',
      subjectId: 'contact-1',
      actorId: 'user-7',
      actorType: 'user',
      purpose: 'sales',
      legalBasis: 'consent',
      fields: ['emails', 'name.family', 'name.given'],
      occurredAt: new Date('2026-02-03T04:05:06.789Z'),
      sourceTopic: 'crm.contacts.v1.events',
      sourcePartition: 2,
      sourceOffset: '41',
      payloadType: 'crm.contacts.v1.ContactCreated',
    });
    expect(entry.envelopeSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(entry)).not.toContain('ciphertext');
  });

  it('given ContactRectified, then changed and removed paths are both touched', () => {
    const envelope = contactRectified('contact-1', ['phones'], ['addresses']);
    expect(envelopeToEntry(envelope, source, encode(envelope)).fields).toEqual(['addresses', 'phones']);
  });

  it('given a read (ContactDataAccessed on the access topic), then the fields shown are the fields touched', () => {
    const envelope = contactDataAccessed('contact-2', ['emails', 'name.given', 'emails']);
    expect(envelopeToEntry(envelope, { ...source, topic: 'crm.access.v1.events' }, encode(envelope)).fields).toEqual(['emails', 'name.given']);
  });

  it('given a payload type no registry knows, then the entry is kept with no fields', () => {
    const envelope = unknownEvent({ subjectId: 'contact-3' });
    expect(envelopeToEntry(envelope, source, encode(envelope))).toMatchObject({
      action: 'crm.future.v9.SomethingHappened',
      subjectId: 'contact-3',
      fields: [],
    });
  });

  it('given a known type whose payload bytes do not decode, then the entry is kept with no fields', () => {
    const envelope = { ...contactCreated('contact-4', ['emails']), payload: new Uint8Array([0xff, 0xff, 0xff]) };
    expect(envelopeToEntry(envelope, source, encode(envelope)).fields).toEqual([]);
  });

  it('given an envelope without actor, time or legal basis, then codes say so instead of failing', () => {
    const envelope = create(EventEnvelopeSchema, { eventId: 'e-1', eventType: 'crm.x.v1.Y' });
    expect(envelopeToEntry(envelope, source, encode(envelope))).toMatchObject({
      actorId: '',
      actorType: 'unspecified',
      legalBasis: 'unspecified',
      occurredAt: undefined,
      fields: [],
    });
  });
});
