import type { Permission } from '@crm/auth';
import { EVENT_STORE } from '@crm/platform';
import { uniqueName } from '@crm/testing';
import { DPO, useContactsApp, WRITER } from '../testing/contacts.fixture.js';

const contacts = useContactsApp();
const { call, create } = contacts;

const uniqueId = () =>
  '0190a000-0000-7000-8000-' +
  Math.floor(Math.random() * 1e12)
    .toString()
    .padStart(12, '0');

describe('contacts: export', () => {
  it('needs contacts:export and a fresh second factor', async () => {
    const refusal = async (perms: Permission[], mfaAgeSeconds?: number | null) => {
      const response = await call('POST', '/v1/contacts/export', perms, { purpose: 'sales' }, {}, mfaAgeSeconds);
      return [response.status, response.body.code];
    };
    expect(await refusal(WRITER, 10)).toEqual([403, 'FORBIDDEN']);
    expect(await refusal(DPO, null)).toEqual([403, 'MFA_REQUIRED']);
    expect(await refusal(DPO, 3_600)).toEqual([403, 'STEP_UP_REQUIRED']);
  });

  it('exports a selection as JSON and CSV minimised to the purpose, leaves restricted contacts out, and records the export', async () => {
    const [a, b, c] = await Promise.all([create('ExpA'), create('ExpB'), create('ExpC')]);
    await call('POST', `/v1/contacts/${c.body.id}/restriction`, WRITER, { reason: 'legal-claims' });
    const ids = [a.body.id, b.body.id, c.body.id];

    const json = await call(
      'POST',
      '/v1/contacts/export',
      DPO,
      { purpose: 'marketing', legalBasis: 'legitimate-interests', format: 'json', contactIds: ids },
      {},
      10,
    );
    expect(json.status).toBe(200);
    expect(json.headers.get('x-export-row-count')).toBe('2');
    expect(json.body.contacts.map((row: { id: string }) => row.id).sort()).toEqual([a.body.id, b.body.id].sort());
    expect(json.body.contacts[0]).not.toHaveProperty('phones');

    const csv = await call('POST', '/v1/contacts/export', DPO, { purpose: 'billing', format: 'csv', contactIds: ids }, {}, 10);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const [header, ...rows] = csv.text.trim().split('\r\n');
    expect(header).toBe('id,name.given,name.family,emails,addresses.street,addresses.postalCode,addresses.city,addresses.country');
    expect(rows).toHaveLength(2);

    const events = await contacts.app.get(EVENT_STORE).readStream(`export-${json.headers.get('x-export-id')}`);
    expect(events.map((event: { envelope: { payloadType: string; purpose: string } }) => [event.envelope.payloadType, event.envelope.purpose])).toEqual([
      ['crm.contacts.v1.ContactsExported', 'marketing'],
    ]);
  });
});

describe('contacts: export budget', () => {
  it("refuses a user's eleventh export within the hour with 429 EXPORT_RATE_LIMITED; another user is not affected", async () => {
    const hoarder = uniqueName('hoarder');
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push((await call('POST', '/v1/contacts/export', DPO, { purpose: 'sales', contactIds: [uniqueId()] }, {}, 10, hoarder)).status);
    expect(statuses).toEqual([...Array(10).fill(200), 429]);
    const limited = await call('POST', '/v1/contacts/export', DPO, { purpose: 'sales', contactIds: [uniqueId()] }, {}, 10, hoarder);
    expect([limited.body.code, limited.body.details.limit]).toEqual(['EXPORT_RATE_LIMITED', 10]);
    expect((await call('POST', '/v1/contacts/export', DPO, { purpose: 'sales', contactIds: [uniqueId()] }, {}, 10, uniqueName('other'))).status).toBe(200);
  });
});
