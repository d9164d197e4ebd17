import { EVENT_STORE, FIELD_CIPHER } from '@crm/platform';
import { uniqueName } from '@crm/testing';
import { ContactProjection } from '../read-model/contact.projection.js';
import { ContactsRepository } from '../read-model/contacts.repository.js';
import { rebuildReadModel } from '../read-model/read-model.rebuild.js';
import { DPO, useContactsApp, WRITER } from '../testing/contacts.fixture.js';
import { TransactionPurge } from './transaction.purge.js';

const contacts = useContactsApp();
const { call, create } = contacts;

describe('contacts: erasure', () => {
  it('needs subjects:erase and a fresh second factor', async () => {
    const { body: json } = await create('EraseGuard');
    expect((await call('POST', `/v1/contacts/${json.id}/erasure`, WRITER, {}, {}, 10)).body.code).toBe('FORBIDDEN');
    expect((await call('POST', `/v1/contacts/${json.id}/erasure`, DPO, {}, {}, 3_600)).body.code).toBe('STEP_UP_REQUIRED');
    expect((await call('GET', `/v1/contacts/${json.id}?purpose=sales`, WRITER)).status).toBe(200);
  });

  it('destroys the key and purges the read model: 410 everywhere, not found, not exported, not rebuilt; erasing again is a no-op', async () => {
    const { app } = contacts;
    const marker = uniqueName('Gone').replace(/[^A-Za-z]/g, '');
    const { body: json } = await create(marker);
    await call('POST', `/v1/contacts/${json.id}/transactions`, WRITER, {
      purpose: 'billing',
      transaction: { description: 'x', amountCents: 1, currency: 'EUR', occurredAt: '2026-01-01T00:00:00Z' },
    });

    const erased = await call('POST', `/v1/contacts/${json.id}/erasure`, DPO, {}, {}, 10);
    expect(erased.body).toMatchObject({ id: json.id, alreadyErased: false });
    expect((await call('POST', `/v1/contacts/${json.id}/erasure`, DPO, {}, {}, 10)).body).toMatchObject({ alreadyErased: true });

    expect((await call('GET', `/v1/contacts/${json.id}?purpose=customer-service`, WRITER)).status).toBe(410);
    expect((await call('PATCH', `/v1/contacts/${json.id}`, WRITER, { purpose: 'sales', changes: { birthDate: null } })).status).toBe(410);
    expect((await call('GET', `/v1/contacts?purpose=customer-service&name=ann${marker}`, WRITER)).body.items).toEqual([]);
    const exported = await call('POST', '/v1/contacts/export', DPO, { purpose: 'sales', contactIds: [json.id] }, {}, 10);
    expect(exported.body.contacts).toEqual([]);

    // The purchases go right after the answer, off the erasure's path.
    await app.get(TransactionPurge).purge(json.id);
    const left = await app.get(ContactsRepository).pool.query('SELECT count(*)::int AS n FROM contacts.contact_transactions WHERE contact_id = $1', [json.id]);
    expect(left.rows[0].n).toBe(0);

    const history = await app.get(EVENT_STORE).readStream(`contact-${json.id}`);
    expect(history.map((event: { envelope: { payloadType: string } }) => event.envelope.payloadType.split('.').at(-1))).toEqual([
      'ContactCreated',
      'TransactionAdded',
      'ContactErased',
    ]);

    const repository = app.get(ContactsRepository);
    const outcome = await contacts.exclusively(() =>
      rebuildReadModel({
        pool: repository.pool,
        store: app.get(EVENT_STORE),
        cipher: app.get(FIELD_CIPHER),
        contacts: repository,
        projection: app.get(ContactProjection),
      }),
    );
    expect(outcome.erased).toBeGreaterThanOrEqual(1);
    expect(await repository.byId(json.id)).toBeUndefined();
    expect((await repository.pool.query('SELECT 1 FROM contacts.contact_transactions WHERE contact_id = $1', [json.id])).rows).toEqual([]);
    expect(await repository.erasedAt(json.id)).toBeInstanceOf(Date);
    expect((await call('GET', `/v1/contacts/${json.id}?purpose=customer-service`, WRITER)).status).toBe(410);
  });
});
