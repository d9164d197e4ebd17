import { useContactsApp, WRITER } from '../../testing/contacts.fixture.js';

const { call, create } = useContactsApp();

describe('contacts: add a purchase', () => {
  it('records transactions (a repeated id is refused) and shows them to billing but not to marketing', async () => {
    const { body: json } = await create('Tx');
    const transaction = { description: 'Blue bicycle', amountCents: 49_900, currency: 'EUR', occurredAt: '2026-11-01T10:00:00Z' };
    const added = await call('POST', `/v1/contacts/${json.id}/transactions`, WRITER, { purpose: 'billing', transaction });
    expect(added.status).toBe(201);
    const again = await call('POST', `/v1/contacts/${json.id}/transactions`, WRITER, { purpose: 'billing', transactionId: added.body.id, transaction });
    expect([again.status, again.body.code]).toEqual([409, 'TRANSACTION_DUPLICATE']);

    const billing = await call('GET', `/v1/contacts/${json.id}?purpose=billing`, WRITER);
    expect(billing.body.transactionCount).toBe(1);
    expect(billing.body.transactions).toEqual([{ id: added.body.id, ...transaction, occurredAt: '2026-11-01T10:00:00.000Z', recordedAt: expect.any(String) }]);
    const marketing = await call('GET', `/v1/contacts/${json.id}?purpose=marketing&legalBasis=legitimate-interests`, WRITER);
    expect(marketing.body.transactions).toEqual([{ id: added.body.id, recordedAt: expect.any(String) }]);
  });
});
