import {
  buildAccessPackage,
  buildPortability,
  pseudonymousConsentProof,
  renderAccessPackageHtml,
  type SubjectAuditEntry,
  type SubjectData,
} from './subject-package.js';

const contactId = '0190a000-0000-7000-8000-0000000000c1';
const requestId = '0190a000-0000-7000-8000-0000000000a1';
const subject: SubjectData = {
  id: contactId,
  version: 3,
  restricted: false,
  createdAt: '2027-01-01T10:00:00.000Z',
  updatedAt: '2027-01-02T10:00:00.000Z',
  data: { name: { given: 'Ada <b>', family: 'Nowak' }, emails: ['ada@example.com', '=cmd@example.com'] },
  transactions: [
    {
      id: 't1',
      amountCents: 1200,
      currency: 'EUR',
      description: 'Bike, "red"',
      occurredAt: '2027-01-01T09:00:00.000Z',
      recordedAt: '2027-01-01T10:00:00.000Z',
    },
  ],
  fields: [{ path: 'name.given', category: 'identity', purposes: ['customer-service', 'marketing'] }],
};
const entry = (over: Partial<SubjectAuditEntry>): SubjectAuditEntry => ({
  eventId: 'e',
  occurredAt: '2027-01-01T10:00:00.000Z',
  actorId: 'user-1',
  actorType: 'USER',
  action: 'crm.contacts.v1.ContactCreated',
  purpose: 'customer-service',
  legalBasis: 'contract',
  fields: [],
  sourceTopic: 'crm.contacts.v1.events',
  ...over,
});

describe('the access package', () => {
  const trail = [
    entry({
      eventId: 'read-late',
      occurredAt: '2027-01-03T10:00:00.000Z',
      action: 'crm.contacts.v1.ContactDataAccessed',
      sourceTopic: 'crm.access.v1.events',
      actorId: 'user-2',
      fields: ['name.given'],
    }),
    entry({ eventId: 'created' }),
    entry({
      eventId: 'read-early',
      occurredAt: '2027-01-02T10:00:00.000Z',
      action: 'crm.contacts.v1.ContactDataAccessed',
      sourceTopic: 'crm.access.v1.events',
      actorId: 'user-3',
    }),
  ];
  const pkg = buildAccessPackage({
    requestId,
    generatedAt: new Date('2027-02-01T00:00:00.000Z'),
    expiresAt: new Date('2027-03-03T00:00:00.000Z'),
    subject,
    consents: { consents: {}, objections: {}, history: [] },
    notice: null,
    trail,
  });

  it("given the trail, then the accesses are the access topic's entries, oldest first, and everything else is the other processing", () => {
    expect(pkg.accesses.map((a) => [a.actorId, a.action, a.at])).toEqual([
      ['user-3', 'ContactDataAccessed', '2027-01-02T10:00:00.000Z'],
      ['user-2', 'ContactDataAccessed', '2027-01-03T10:00:00.000Z'],
    ]);
    expect(pkg.processing.map((p) => p.action)).toEqual(['ContactCreated']);
  });

  it('given the fields held, then each names its purposes with their lawful bases from the catalogue, and every purpose is listed', () => {
    expect(pkg.fieldsHeld).toEqual([
      {
        path: 'name.given',
        category: 'identity',
        purposes: [
          { code: 'customer-service', lawfulBases: ['contract'] },
          { code: 'marketing', lawfulBases: ['consent', 'legitimate-interests'] },
        ],
      },
    ]);
    expect(pkg.purposes.map((p) => p.code)).toContain('data-subject-rights');
    expect(pkg).toMatchObject({
      format: 'crm.access-package.v1',
      contactId,
      requestId,
      expiresAt: '2027-03-03T00:00:00.000Z',
      purchases: subject.transactions,
    });
  });

  it('renders a printable page with every value escaped and no script', () => {
    const html = renderAccessPackageHtml(pkg);
    expect(html).toContain('Ada &lt;b&gt;');
    expect(html).not.toContain('Ada <b>');
    expect(html).toContain('Bike, &quot;red&quot;');
    expect(html).not.toMatch(/<script|<style|src=/i);
  });
});

describe('the portability files', () => {
  it('given the subject, then JSON and CSV hold what the person provided, with formulas neutralised in the CSV', () => {
    const { data, files } = buildPortability(requestId, subject, new Date('2027-02-01T00:00:00.000Z'));
    expect(data.contact).toEqual(subject.data);
    expect(data.purchases).toEqual([{ amountCents: 1200, currency: 'EUR', description: 'Bike, "red"', occurredAt: '2027-01-01T09:00:00.000Z' }]);
    expect(files.map((f) => f.format)).toEqual(['json', 'csv']);
    expect(files[1]!.content.split('\r\n')).toEqual([
      'section,field,value',
      'contact,name.given,Ada <b>',
      'contact,name.family,Nowak',
      'contact,emails[0],ada@example.com',
      "contact,emails[1],'=cmd@example.com",
      'purchase,purchases[0].amountCents,1200',
      'purchase,purchases[0].currency,EUR',
      'purchase,purchases[0].description,"Bike, ""red"""',
      'purchase,purchases[0].occurredAt,2027-01-01T09:00:00.000Z',
      '',
    ]);
  });
});

describe('the consent records after erasure', () => {
  it('given consents and objections, then only purposes, statuses, dates and notice hashes remain: no channel, actor or evidence', () => {
    const proof = pseudonymousConsentProof({
      consents: {
        marketing: {
          status: 'withdrawn',
          givenAt: 'g',
          givenBy: 'user-1',
          withdrawnAt: 'w',
          noticeVersion: 'en-1',
          noticeContentSha256: 'abc',
          channel: 'email',
        },
      },
      objections: { analytics: { recordedAt: 'r', recordedBy: 'user-2', channel: 'phone' } },
      history: [{ evidence: { reference: 'secret' } }],
    });
    expect(proof).toEqual({
      consents: [{ purpose: 'marketing', status: 'withdrawn', givenAt: 'g', withdrawnAt: 'w', noticeVersion: 'en-1', noticeContentSha256: 'abc' }],
      objections: [{ purpose: 'analytics', recordedAt: 'r' }],
      evidence: 'destroyed with the key',
    });
  });
});
