import { request, uniqueName } from '@crm/testing';
import { ANALYST, useContactsApp, WRITER } from '../testing/contacts.fixture.js';

const contacts = useContactsApp();
const { call, create } = contacts;

const codeOf = async (reply: Promise<{ status: number; body: { code?: string } }>) => {
  const { status, body } = await reply;
  return [status, body.code];
};

describe('contacts: purposes bound to roles (issue 15)', () => {
  it('given an analyst, when reading for customer-service, then 403 PURPOSE_NOT_PERMITTED and nothing shown; for analytics, the minimised contact', async () => {
    const { body: json } = await create(uniqueName('Anl').replace(/[^A-Za-z]/g, ''));
    const refused = await call('GET', `/v1/contacts/${json.id}?purpose=customer-service`, ANALYST);
    expect([refused.status, refused.body.code, refused.body.details]).toEqual([403, 'PURPOSE_NOT_PERMITTED', { purpose: 'customer-service' }]);
    expect(refused.text).not.toContain('Ann');
    expect(await codeOf(call('GET', `/v1/contacts?purpose=sales&email=${encodeURIComponent(json.data.emails[0])}`, ANALYST))).toEqual([
      403,
      'PURPOSE_NOT_PERMITTED',
    ]);
    expect(await codeOf(call('GET', `/v1/contacts/${json.id}/transactions?purpose=billing`, ANALYST))).toEqual([403, 'PURPOSE_NOT_PERMITTED']);

    const allowed = await call('GET', `/v1/contacts/${json.id}?purpose=analytics`, ANALYST);
    expect(allowed.status).toBe(200);
    expect(allowed.body.data).toEqual({ addresses: [{ country: 'DE' }] });
  });

  it('given a writer without the purpose, when creating or exporting for it, then 403 PURPOSE_NOT_PERMITTED', async () => {
    const salesOnly = ['contacts:read', 'contacts:write', 'contacts:export', 'purpose:sales'] as const;
    expect(await codeOf(call('POST', '/v1/contacts', [...salesOnly], { purpose: 'customer-service', data: { name: { given: 'X' } } }))).toEqual([
      403,
      'PURPOSE_NOT_PERMITTED',
    ]);
    expect(await codeOf(call('POST', '/v1/contacts/export', [...salesOnly], { purpose: 'marketing' }, {}, 10))).toEqual([403, 'PURPOSE_NOT_PERMITTED']);
    expect(await codeOf(call('POST', '/v1/contacts/import', [...salesOnly], { purpose: 'billing', format: 'csv', content: 'name.given\nAnn' }))).toEqual([
      403,
      'PURPOSE_NOT_PERMITTED',
    ]);
  });

  it('given a purpose about one person, when searching without a criterion, then 400 CONTACT_SEARCH_CRITERIA_REQUIRED; a bulk purpose may list', async () => {
    await create(uniqueName('Bulk').replace(/[^A-Za-z]/g, ''));
    for (const purpose of ['customer-service', 'sales', 'billing', 'legal-claims']) {
      expect(await codeOf(call('GET', `/v1/contacts?purpose=${purpose}`, WRITER))).toEqual([400, 'CONTACT_SEARCH_CRITERIA_REQUIRED']);
      expect(await codeOf(call('GET', `/v1/contacts?purpose=${purpose}&limit=5`, WRITER))).toEqual([400, 'CONTACT_SEARCH_CRITERIA_REQUIRED']);
    }
    // Marketing on consent would leave out every contact without consent: the soft opt-in basis lists them.
    const listing = await call('GET', '/v1/contacts?purpose=marketing&legalBasis=legitimate-interests&limit=1', WRITER);
    expect([listing.status, listing.body.items.length]).toEqual([200, 1]);
  });

  it('given a restricted contact, then marketing, sales and customer service are refused, search leaves it out, and legal claims still read it', async () => {
    const marker = uniqueName('Rstr').replace(/[^A-Za-z]/g, '');
    const { body: json } = await create(marker);
    const email = encodeURIComponent(json.data.emails[0]);
    expect((await call('POST', `/v1/contacts/${json.id}/restriction`, WRITER, { reason: 'legal-claims' })).body).toMatchObject({ restricted: true });

    const refused = await call('GET', `/v1/contacts/${json.id}?purpose=marketing`, WRITER);
    expect([refused.status, refused.body.code, refused.body.details]).toEqual([
      403,
      'CONTACT_PROCESSING_RESTRICTED',
      { purpose: 'marketing', allowedPurposes: ['legal-claims'] },
    ]);
    expect(refused.text).not.toContain(marker);
    expect(await codeOf(call('GET', `/v1/contacts/${json.id}?purpose=customer-service`, WRITER))).toEqual([403, 'CONTACT_PROCESSING_RESTRICTED']);
    expect(await codeOf(call('GET', `/v1/contacts/${json.id}/transactions?purpose=sales`, WRITER))).toEqual([403, 'CONTACT_PROCESSING_RESTRICTED']);
    expect((await call('GET', `/v1/contacts?purpose=sales&email=${email}`, WRITER)).body.items).toEqual([]);

    const claims = await call('GET', `/v1/contacts/${json.id}?purpose=legal-claims`, WRITER);
    expect([claims.status, claims.body.restricted, claims.body.data.name.given]).toEqual([200, true, `Ann${marker}`]);
    expect((await call('GET', `/v1/contacts?purpose=legal-claims&email=${email}`, WRITER)).body.items.map((c: { id: string }) => c.id)).toEqual([json.id]);

    // Lifted, the contact is readable for every purpose again.
    expect((await call('DELETE', `/v1/contacts/${json.id}/restriction`, WRITER)).body).toMatchObject({ restricted: false });
    expect((await call('GET', `/v1/contacts/${json.id}?purpose=customer-service`, WRITER)).status).toBe(200);
  });

  it('given a session signed in with a password alone, then reading a contact is 403 MFA_REQUIRED, unless identity exempted its roles', async () => {
    const { body: json } = await create(uniqueName('Pwd').replace(/[^A-Za-z]/g, ''));
    expect(await codeOf(call('GET', `/v1/contacts/${json.id}?purpose=sales`, WRITER, undefined, {}, null))).toEqual([403, 'MFA_REQUIRED']);
    const exempt = await contacts.issuer.token({ perms: WRITER, passwordOnly: true, mfaExempt: true });
    expect((await request('GET', `/v1/contacts/${json.id}?purpose=sales`, exempt, undefined, {}, contacts.url)).status).toBe(200);
  });
});
