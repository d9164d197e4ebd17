import { useContactsApp, WRITER } from '../../testing/contacts.fixture.js';

const { call, create } = useContactsApp();

describe('contacts: list purchases', () => {
  it("pages a contact's purchases newest first, minimised to the purpose; a forged cursor is refused", async () => {
    const { body: json } = await create('TxPages');
    const added: string[] = [];
    for (const description of ['first', 'second', 'third']) {
      const transaction = { description, amountCents: 100, currency: 'EUR', occurredAt: '2026-02-01T00:00:00Z' };
      added.push((await call('POST', `/v1/contacts/${json.id}/transactions`, WRITER, { purpose: 'billing', transaction })).body.id);
    }
    const first = await call('GET', `/v1/contacts/${json.id}/transactions?purpose=billing&limit=2`, WRITER);
    expect(first.body.items.map((item: { description: string }) => item.description)).toEqual(['third', 'second']);
    const second = await call('GET', `/v1/contacts/${json.id}/transactions?purpose=billing&limit=2&before=${first.body.next}`, WRITER);
    expect(second.body).toEqual({ items: [expect.objectContaining({ id: added[0], description: 'first' })] });

    const analytics = await call('GET', `/v1/contacts/${json.id}/transactions?purpose=analytics`, WRITER);
    expect(analytics.body.items[0]).toEqual({
      id: added[2],
      amountCents: 100,
      currency: 'EUR',
      occurredAt: '2026-02-01T00:00:00.000Z',
      recordedAt: expect.any(String),
    });
    const forged = await call('GET', `/v1/contacts/${json.id}/transactions?purpose=billing&before=bm90LWEtY3Vyc29y`, WRITER);
    expect([forged.status, forged.body.code]).toEqual([400, 'TRANSACTION_CURSOR_INVALID']);
    expect((await call('GET', '/v1/contacts/0190a000-0000-7000-8000-000000000001/transactions?purpose=billing', WRITER)).status).toBe(404);
  });
});
