import { useContactsApp, WRITER } from '../../testing/contacts.fixture.js';

const { call, create } = useContactsApp();

describe('contacts: lift a restriction', () => {
  it('makes a restricted contact writable again once the restriction is lifted', async () => {
    const { body: json } = await create('Lift');
    await call('POST', `/v1/contacts/${json.id}/restriction`, WRITER, { reason: 'accuracy-contested' });

    expect((await call('DELETE', `/v1/contacts/${json.id}/restriction`, WRITER)).body).toEqual({ restricted: false, version: 3 });
    expect((await call('PATCH', `/v1/contacts/${json.id}`, WRITER, { purpose: 'customer-service', changes: { birthDate: '1990-01-01' } })).status).toBe(200);
  });
});
