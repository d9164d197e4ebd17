import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, EventEnvelopeSchema, timestampFromDate, type EventEnvelope } from '@crm/contracts';
import { CachingKeyStore, createKeyVaultPool, FieldCipher, FileKekProvider, PostgresKeyStore } from '@crm/crypto';
import type { NewEvent } from '@crm/eventstore';
import type { Pool } from '@crm/postgres';
import { migrateKeyVault, testPlatformConfig, uniqueName } from '@crm/testing';
import { contactCodec } from './contact.codec.js';
import type { ContactEvent } from './contact.decider.js';

const settings = testPlatformConfig().postgres!;
const vaultDatabase = uniqueName('keyvault_contacts').replaceAll('-', '_');
let vault: Pool;
let keys: PostgresKeyStore;
let cipher: FieldCipher;

beforeAll(async () => {
  vault = await createKeyVaultPool(settings, { database: vaultDatabase, max: 2 });
  await migrateKeyVault(vaultDatabase);
  keys = new PostgresKeyStore({ pool: vault, kek: new FileKekProvider({ stateDir: mkdtempSync(join(tmpdir(), 'crm-contacts-kek-')) }) });
  cipher = new FieldCipher(new CachingKeyStore(keys));
});
afterAll(async () => {
  await vault.end();
  const { createPool } = await import('@crm/postgres');
  const admin = createPool({ ...settings, database: 'postgres' }, { max: 1 });
  await admin.query(`DROP DATABASE IF EXISTS "${vaultDatabase}"`);
  await admin.end();
});

/** What the event store would wrap around the payload; enough for decoding. */
function envelopeOf(event: NewEvent): EventEnvelope {
  return create(EventEnvelopeSchema, {
    eventId: randomUUID(),
    eventType: event.type,
    payloadType: event.payloadType,
    payload: event.payload,
    subjectId: event.subjectId ?? '',
    keyId: event.keyId ?? '',
    occurredAt: timestampFromDate(new Date()),
  });
}

describe('contact events on the wire', () => {
  it('given a contact with a marker in every kind of field, when encoded, then the payload holds no plaintext and decodes back identically', async () => {
    const marker = `PIIMARKER${randomBytes(6).toString('hex')}`;
    const contactId = randomUUID();
    const events: ContactEvent[] = [
      {
        type: 'ContactCreated',
        contactId,
        data: {
          name: { given: `Ada ${marker}`, family: 'Lovelace' },
          emails: [`${marker.toLowerCase()}@example.com`],
          phones: ['+442071234567'],
          addresses: [{ street: `${marker} Road 1`, city: 'London', country: 'GB' }],
          preferences: { channels: ['email'] },
          notes: [`called about ${marker}`],
        },
      },
      { type: 'ContactRectified', contactId, changes: { name: { family: `Byron ${marker}` }, phones: null } },
      {
        type: 'TransactionAdded',
        contactId,
        transactionId: 't-1',
        amountCents: 12_345n,
        currency: 'EUR',
        description: `${marker} order`,
        occurredAt: '2026-11-01T10:00:00Z',
      },
      { type: 'ProcessingRestricted', contactId, reason: 'accuracy-contested' },
      { type: 'RestrictionLifted', contactId },
    ];
    const codec = contactCodec(cipher);

    for (const event of events) {
      const encoded = await codec.encode(event);
      expect(Buffer.from(encoded.payload).includes(Buffer.from(marker))).toBe(false);
      expect(Buffer.from(encoded.payload).includes(Buffer.from(marker.toLowerCase()))).toBe(false);
      expect(encoded.subjectId).toBe(contactId);
      expect(await codec.decode(envelopeOf(encoded))).toEqual(event);
    }
    expect((await codec.encode(events[0]!)).keyId).toMatch(/^sk_/);
    expect((await codec.encode(events[3]!)).keyId).toBeUndefined();
  });

  it('given the contact is shredded, then its PII no longer decodes, while its erasure event stays readable', async () => {
    const contactId = randomUUID();
    const codec = contactCodec(cipher);
    const created = envelopeOf(await codec.encode({ type: 'ContactCreated', contactId, data: { emails: ['gone@example.com'] } }));
    const erased = envelopeOf(await codec.encode({ type: 'ContactErased', contactId }));

    await keys.shred(contactId, 'ERASURE_REQUEST');

    const fresh = contactCodec(new FieldCipher(new CachingKeyStore(keys)));
    await expect(fresh.decode(created)).rejects.toMatchObject({ code: 'KEY_SHREDDED' });
    expect(await fresh.decode(erased)).toEqual({ type: 'ContactErased', contactId });
  });

  it('given a sealed field copied into another contact’s event, then it does not open there', async () => {
    const codec = contactCodec(cipher);
    const alice = await codec.encode({ type: 'ContactCreated', contactId: randomUUID(), data: { emails: ['alice@example.com'] } });
    const mallory = randomUUID();
    await codec.encode({ type: 'ContactCreated', contactId: mallory, data: { emails: ['mallory@example.com'] } });

    await expect(codec.decode({ ...envelopeOf(alice), subjectId: mallory })).rejects.toMatchObject({ code: 'SEALED_FIELD_INVALID' });
  });
});
