// Contacts through the gateway, as a frontend, a salesperson and a DPO use them (issue: contacts with
// crypto-shredding end to end). Users are created by the bootstrap administrator; each enrols TOTP at first sign-in
// (every role that sees personal data must), which also makes the DPO's second factor fresh for export and erasure.
import { adminSession, api, createStaffUser, expectEventually, request as call, signIn, staffSession, uniqueName } from '@crm/testing';

let admin: string;
let sales: string;
let analyst: string;
let dpo: { token: string; signedInAt: number };
const stepUpSeconds = Number(process.env.CRM_STEP_UP_MAX_AGE_SECONDS ?? 300);

beforeAll(async () => {
  admin = (await adminSession()).accessToken;
  sales = (await staffSession(admin, 'sales', 'contacts')).accessToken;
  analyst = (await staffSession(admin, 'analyst', 'contacts')).accessToken;
  const dpoUser = await createStaffUser(admin, 'dpo', 'contacts');
  dpo = { token: (await signIn(dpoUser.email, dpoUser.password, { step: 1 })).accessToken, signedInAt: Date.now() };
});

const customer = (tag: string) => ({
  name: { given: `Mia${tag}`, family: 'Keller' },
  emails: [`mia.${tag.toLowerCase()}@example.com`],
  phones: ['+4930123456'],
  addresses: [{ street: 'Lindenstr. 5', postalCode: '10969', city: 'Berlin', country: 'DE' }],
  preferences: { channels: ['email'], categories: ['bikes'] },
  notes: ['prefers mornings'],
});

async function createContact(tag: string): Promise<{ id: string; version: number }> {
  const created = await call('POST', '/v1/contacts', sales, { purpose: 'sales', data: customer(tag) });
  expect(created.status).toBe(201);
  return created.body as { id: string; version: number };
}

describe('a salesperson works with contacts', () => {
  it('creates, finds by e-mail, phone and name, rectifies with If-Match, and records a purchase', async () => {
    const tag = uniqueName('a').replace(/[^a-z]/gi, '');
    const { id } = await createContact(tag);

    const byEmail = await call('GET', `/v1/contacts?purpose=sales&email=${encodeURIComponent(`Mia.${tag}@Example.com`)}`, sales);
    expect(byEmail.body.items.map((item: { id: string }) => item.id)).toEqual([id]);
    const byName = await call('GET', `/v1/contacts?purpose=sales&name=${encodeURIComponent(`keller mia${tag}`)}&phone=%2B4930123456`, sales);
    expect(byName.body.items.map((item: { id: string }) => item.id)).toEqual([id]);

    const read = await call('GET', `/v1/contacts/${id}?purpose=sales`, sales);
    expect(read.headers.get('etag')).toBe('"1"');
    // Sales may not see the address or the birth date (minimisation by purpose).
    expect(read.body.data).not.toHaveProperty('addresses');

    const rectified = await call(
      'PATCH',
      `/v1/contacts/${id}`,
      sales,
      { purpose: 'sales', changes: { name: { family: 'Keller-Braun' } } },
      { 'if-match': '"1"' },
    );
    expect([rectified.status, rectified.body.data.name.family, rectified.headers.get('etag')]).toEqual([200, 'Keller-Braun', '"2"']);
    const lost = await call('PATCH', `/v1/contacts/${id}`, sales, { purpose: 'sales', changes: { notes: null } }, { 'if-match': '"1"' });
    expect([lost.status, lost.body.code]).toEqual([409, 'STREAM_VERSION_CONFLICT']);

    const purchase = await call('POST', `/v1/contacts/${id}/transactions`, sales, {
      purpose: 'sales',
      transaction: { description: 'City bike', amountCents: 89_900, currency: 'EUR', occurredAt: '2026-11-20T09:30:00Z' },
    });
    expect(purchase.status).toBe(201);
    const withPurchase = await call('GET', `/v1/contacts/${id}?purpose=sales`, sales);
    expect(withPurchase.body).toMatchObject({ version: 3, transactionCount: 1, transactions: [{ amountCents: 89_900, currency: 'EUR' }] });
  });

  it('gets clear errors with stable codes, and nothing of the input echoed', async () => {
    const secret = `Leak${uniqueName('x')}`;
    const bad = await call('POST', '/v1/contacts', sales, { purpose: 'sales', data: { emails: [`${secret}@`], favouriteColour: secret } });
    expect([bad.status, bad.body.code]).toEqual([400, 'CONTACT_FIELD_UNKNOWN']);
    expect(bad.text).not.toContain(secret);
    const wrongType = await call('POST', '/v1/contacts', sales, { purpose: 'sales', data: { phones: 4930123456 } });
    expect([wrongType.status, wrongType.body.code]).toEqual([400, 'CONTACT_FIELD_INVALID']);
    expect((await call('GET', '/v1/contacts/01900000-0000-7000-8000-000000000000?purpose=sales', sales)).body.code).toBe('CONTACT_NOT_FOUND');
    expect((await call('GET', `/v1/contacts?purpose=sales&email=${secret}`, sales)).body.code).toBe('CONTACT_SEARCH_INVALID');
  });

  it('restricts a contact: it is read-only and left out of exports until lifted', async () => {
    const { id } = await createContact(uniqueName('r').replace(/[^a-z]/gi, ''));
    expect((await call('POST', `/v1/contacts/${id}/restriction`, sales, { reason: 'objection-pending' })).body).toEqual({ restricted: true, version: 2 });
    expect((await call('PATCH', `/v1/contacts/${id}`, sales, { purpose: 'sales', changes: { notes: null } })).body.code).toBe('CONTACT_RESTRICTED');
    // Art. 18(2): only what the law still allows reads it: not marketing nor sales, but the DPO for legal claims.
    const marketing = await call('GET', `/v1/contacts/${id}?purpose=marketing`, sales);
    expect([marketing.status, marketing.body.code]).toEqual([403, 'CONTACT_PROCESSING_RESTRICTED']);
    expect((await call('GET', `/v1/contacts/${id}?purpose=sales`, sales)).body.code).toBe('CONTACT_PROCESSING_RESTRICTED');
    expect((await call('GET', `/v1/contacts/${id}?purpose=legal-claims`, dpo.token)).body).toMatchObject({ id, restricted: true });
    const exported = await call('POST', '/v1/contacts/export', dpo.token, { purpose: 'customer-service', contactIds: [id] });
    expect(exported.body).toMatchObject({ rowCount: 0, contacts: [] });
    expect((await call('DELETE', `/v1/contacts/${id}/restriction`, sales)).body).toEqual({ restricted: false, version: 3 });
    expect((await call('POST', '/v1/contacts/export', dpo.token, { purpose: 'customer-service', contactIds: [id] })).body.rowCount).toBe(1);
    expect((await call('GET', `/v1/contacts/${id}?purpose=sales`, sales)).status).toBe(200);
  });

  it('imports a CSV file: valid rows become contacts, refused rows are reported by number and code', async () => {
    const tag = uniqueName('i')
      .replace(/[^a-z]/gi, '')
      .toLowerCase();
    const content = [
      'name.given,name.family,emails,phones',
      `Ida,Imp,ida.${tag}@example.com,+4930111111`,
      'Bad,Row,not-an-email,',
      `Olaf,Imp,olaf.${tag}@example.com,call me`,
    ].join('\n');
    const started = await call('POST', '/v1/contacts/import', sales, { purpose: 'sales', format: 'csv', content });
    expect(started.status).toBe(202);
    const report = await expectEventually(async () => {
      const progress = await call('GET', `/v1/contacts/imports/${started.body.importId}`, sales);
      expect(progress.body.status).toBe('completed');
      return progress.body;
    });
    expect(report).toMatchObject({ totalRows: 3, processedRows: 3, importedRows: 1, rejectedRows: 2 });
    expect(report.rejected).toEqual([
      { row: 2, code: 'CONTACT_FIELD_INVALID', fields: [{ field: 'emails[0]', rule: 'email' }] },
      { row: 3, code: 'CONTACT_FIELD_INVALID', fields: [{ field: 'phones[0]', rule: 'phone' }] },
    ]);
    expect(JSON.stringify(report)).not.toContain('not-an-email');
    expect((await call('GET', `/v1/contacts?purpose=sales&email=ida.${tag}@example.com`, sales)).body.items).toHaveLength(1);
  });
});

describe('purposes bound to roles and a second factor for personal data (issue 15)', () => {
  it('an analyst reads for analytics only: a customer-service read is 403 PURPOSE_NOT_PERMITTED', async () => {
    const { id } = await createContact(uniqueName('a').replace(/[^a-z]/gi, ''));
    const refused = await call('GET', `/v1/contacts/${id}?purpose=customer-service`, analyst);
    expect([refused.status, refused.body.code]).toEqual([403, 'PURPOSE_NOT_PERMITTED']);
    expect(refused.text).not.toContain('Mia');
    const analytics = await call('GET', `/v1/contacts/${id}?purpose=analytics`, analyst);
    expect([analytics.status, analytics.body.data]).toEqual([200, { addresses: [{ country: 'DE' }], preferences: { categories: ['bikes'] } }]);
  });

  it('a search without criteria for a purpose about one person is 400 CONTACT_SEARCH_CRITERIA_REQUIRED; marketing may list', async () => {
    const listing = await call('GET', '/v1/contacts?purpose=sales', sales);
    expect([listing.status, listing.body.code]).toEqual([400, 'CONTACT_SEARCH_CRITERIA_REQUIRED']);
    expect((await call('GET', '/v1/contacts?purpose=marketing&legalBasis=legitimate-interests&limit=1', sales)).status).toBe(200);
  });

  it('a salesperson without an enrolled second factor gets no session that reads contacts: sign-in asks for enrolment first', async () => {
    const user = await createStaffUser(admin, 'sales', 'no2fa');
    const login = await api('POST', '/v1/auth/login', { email: user.email, password: user.password });
    expect(login.status).toBe(200);
    expect(login.body).toEqual({ mfaEnrollmentRequired: true, enrollmentToken: expect.any(String) });
    // The enrolment credential is no access token: it reads nothing.
    const withEnrolment = await call('GET', '/v1/contacts?purpose=sales&email=x%40example.com', login.body.enrollmentToken as string);
    expect(withEnrolment.status).toBe(401);
    // Once enrolled, the same salesperson reads.
    const enrolled = await signIn(user.email, user.password, { step: 1 });
    expect((await call('GET', '/v1/contacts?purpose=sales&email=x%40example.com', enrolled.accessToken)).status).toBe(200);
  });
});

describe('a DPO exports and erases', () => {
  it('export needs contacts:export: a salesperson is refused', async () => {
    const refused = await call('POST', '/v1/contacts/export', sales, { purpose: 'sales' });
    expect([refused.status, refused.body.code]).toEqual([403, 'FORBIDDEN']);
  });

  it('exports a selection as CSV minimised to the purpose', async () => {
    const tag = uniqueName('e').replace(/[^a-z]/gi, '');
    const { id } = await createContact(tag);
    // The DPO's purposes are a subject's request (customer-service) and legal claims; the latter sees no preferences.
    const csv = await call('POST', '/v1/contacts/export', dpo.token, { purpose: 'legal-claims', format: 'csv', contactIds: [id] });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('x-export-row-count')).toBe('1');
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="contacts-.+\.csv"$/);
    const [header, row] = csv.text.split('\r\n');
    expect(header).toBe('id,name.given,name.family,birthDate,emails,phones,addresses.street,addresses.postalCode,addresses.city,addresses.country,notes');
    expect(row).toBe(`${id},Mia${tag},Keller,,mia.${tag.toLowerCase()}@example.com,+4930123456,Lindenstr. 5,10969,Berlin,DE,prefers mornings`);
    expect(csv.text).not.toContain('bikes');
  });

  it('erases a contact: its key is destroyed, it answers 410, search and export no longer find it, erasing again is harmless', async () => {
    const tag = uniqueName('g').replace(/[^a-z]/gi, '');
    const { id } = await createContact(tag);
    const erased = await call('POST', `/v1/contacts/${id}/erasure`, dpo.token);
    expect(erased.body).toMatchObject({ id, alreadyErased: false });

    expect((await call('GET', `/v1/contacts/${id}?purpose=sales`, sales)).status).toBe(410);
    expect(
      (
        await call('POST', `/v1/contacts/${id}/transactions`, sales, {
          purpose: 'sales',
          transaction: { description: 'x', amountCents: 1, currency: 'EUR', occurredAt: '2026-11-20T09:30:00Z' },
        })
      ).status,
    ).toBe(410);
    expect((await call('GET', `/v1/contacts?purpose=sales&email=mia.${tag.toLowerCase()}@example.com`, sales)).body.items).toEqual([]);
    expect((await call('POST', '/v1/contacts/export', dpo.token, { purpose: 'customer-service', contactIds: [id] })).body.rowCount).toBe(0);
    expect((await call('POST', `/v1/contacts/${id}/erasure`, dpo.token)).body).toMatchObject({ alreadyErased: true });
  });

  // Last: it waits for the DPO's second factor to go stale (the test run shortens the window, see tools/crm.sh).
  it('export and erasure need a fresh second factor: once it is older than the step-up window, both are refused', async () => {
    const { id } = await createContact(uniqueName('s').replace(/[^a-z]/gi, ''));
    const budget = Math.max(0, dpo.signedInAt + (stepUpSeconds + 5) * 1_000 - Date.now());
    // Probed on an id that does not exist: 404 while the factor is fresh, 403 once it is stale; nothing is erased.
    await expectEventually(
      async () => {
        expect((await call('POST', '/v1/contacts/01900000-0000-7000-8000-000000000000/erasure', dpo.token)).body.code).toBe('STEP_UP_REQUIRED');
      },
      { timeoutMs: budget + 10_000, intervalMs: 2_000 },
    );
    const stale = await call('POST', '/v1/contacts/export', dpo.token, { purpose: 'customer-service', contactIds: [id] });
    expect([stale.status, stale.body.code]).toEqual([403, 'STEP_UP_REQUIRED']);
    expect((await call('POST', `/v1/contacts/${id}/erasure`, dpo.token)).body.code).toBe('STEP_UP_REQUIRED');
    expect((await call('GET', `/v1/contacts/${id}?purpose=sales`, sales)).status).toBe(200);
  }, 600_000);
});
