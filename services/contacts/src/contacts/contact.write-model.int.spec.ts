import type { EventEnvelope } from '@crm/contracts';
import { fold } from '@crm/eventstore';
import { EVENT_STORE, FIELD_CIPHER } from '@crm/platform';
import { ContactProjection } from '../read-model/contact.projection.js';
import { ContactsRepository } from '../read-model/contacts.repository.js';
import { useContactsApp, WRITER } from '../testing/contacts.fixture.js';
import { contactCodec } from './contact.codec.js';
import { contactDecider } from './contact.decider.js';

const contacts = useContactsApp();
const { call, create } = contacts;

describe('contacts: the read-model row is the decision state', () => {
  it('given a history of commands, then the row holds exactly what the stream folds to', async () => {
    const { app } = contacts;
    const { body: json } = await create('Fold');
    await call('PATCH', `/v1/contacts/${json.id}`, WRITER, { purpose: 'customer-service', changes: { phones: null, name: { given: 'Bo' } } });
    await call('POST', `/v1/contacts/${json.id}/transactions`, WRITER, {
      purpose: 'billing',
      transaction: { description: 'x', amountCents: 5, currency: 'EUR', occurredAt: '2026-01-01T00:00:00Z' },
    });
    await call('POST', `/v1/contacts/${json.id}/restriction`, WRITER, { reason: 'legal-claims' });

    const codec = contactCodec(app.get(FIELD_CIPHER));
    const recorded = await app.get(EVENT_STORE).readStream(`contact-${json.id}`);
    const folded = fold(contactDecider, await Promise.all(recorded.map((event: { envelope: EventEnvelope }) => codec.decode(event.envelope))));
    const row = (await app.get(ContactsRepository).byId(json.id))!;

    expect(BigInt(row.version)).toBe(recorded.at(-1)!.streamVersion);
    expect(await app.get(ContactProjection).openRecord(row)).toEqual(folded.data);
    expect([row.restricted, row.restriction_reason, row.transaction_count]).toEqual([folded.restricted, folded.restrictionReason, folded.transactionIds.size]);
  });

  it('given concurrent writes to one contact, then they queue on the row and none is lost', async () => {
    const { body: json } = await create('Queue');
    const transaction = { description: 'y', amountCents: 1, currency: 'EUR', occurredAt: '2026-01-01T00:00:00Z' };
    const results = await Promise.all(
      Array.from({ length: 12 }, () => call('POST', `/v1/contacts/${json.id}/transactions`, WRITER, { purpose: 'billing', transaction })),
    );
    expect(results.map((result) => result.status)).toEqual(Array(12).fill(201));
    expect(results.map((result) => result.body.version).sort((a: number, b: number) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 2));
    expect((await call('GET', `/v1/contacts/${json.id}?purpose=billing`, WRITER)).body).toMatchObject({ version: 13, transactionCount: 12 });
  });
});
