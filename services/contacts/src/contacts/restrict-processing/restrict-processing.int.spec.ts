import { useContactsApp, WRITER } from '../../testing/contacts.fixture.js';

const { call, create } = useContactsApp();

describe('contacts: restrict processing', () => {
  it('makes a restricted contact read-only and shows why it is restricted', async () => {
    const { body: json } = await create('Restr');
    const restricted = await call('POST', `/v1/contacts/${json.id}/restriction`, WRITER, { reason: 'accuracy-contested' });
    expect(restricted.body).toEqual({ restricted: true, version: 2 });
    const refused = await call('PATCH', `/v1/contacts/${json.id}`, WRITER, { purpose: 'customer-service', changes: { birthDate: '1990-01-01' } });
    expect([refused.status, refused.body.code]).toEqual([409, 'CONTACT_RESTRICTED']);
    expect((await call('GET', `/v1/contacts/${json.id}?purpose=legal-claims`, WRITER)).body).toMatchObject({
      restricted: true,
      restrictionReason: 'accuracy-contested',
    });
  });
});
