import { person, useContactsApp, WRITER } from '../../testing/contacts.fixture.js';

const { call, create } = useContactsApp();

describe('contacts: create', () => {
  it('creates a contact and reads it back minimised to the purpose, with its version as ETag', async () => {
    const created = await create('Kappa');
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body).toMatchObject({ id: expect.any(String), version: 1, restricted: false, purpose: 'customer-service', data: person('Kappa') });

    // The answer is built from the decided state: it must be exactly what reading the contact back shows.
    const readBack = await call('GET', `/v1/contacts/${created.body.id}?purpose=customer-service`, WRITER);
    expect(readBack.body).toEqual(created.body);

    const marketing = await call('GET', `/v1/contacts/${created.body.id}?purpose=marketing&legalBasis=legitimate-interests`, WRITER);
    expect(marketing.status).toBe(200);
    // Marketing sees names, e-mails and channel preferences; never phones, addresses, birth date or notes.
    expect(marketing.body.data).toEqual({ name: { given: 'AnnKappa', family: 'Lee' }, emails: ['ann.kappa@example.com'] });
  });

  it('refuses bad input with a stable code, names fields but never echoes values, and writes nothing', async () => {
    const secret = 'Zq9SecretMarker';
    const cases = [
      [{ purpose: 'customer-service', data: { emails: [`${secret}@@example`] } }, 'CONTACT_FIELD_INVALID'],
      [{ purpose: 'customer-service', data: { nickname: secret } }, 'CONTACT_FIELD_UNKNOWN'],
      [{ purpose: 'customer-service', data: { healthNotes: secret } }, 'CONTACT_SPECIAL_CATEGORY_REFUSED'],
      [{ purpose: 'customer-service', data: { name: { given: secret.repeat(20) } } }, 'CONTACT_FIELD_INVALID'],
      [{ purpose: 'customer-service', data: { birthDate: 19900101 } }, 'CONTACT_FIELD_INVALID'],
      [{ purpose: 'gossip', data: { name: { given: secret } } }, 'REQUEST_INVALID'],
    ] as const;
    for (const [body, code] of cases) {
      const response = await call('POST', '/v1/contacts', WRITER, body);
      expect([response.status, response.body.code]).toEqual([400, code]);
      expect(response.text).not.toContain(secret);
    }
  });
});
