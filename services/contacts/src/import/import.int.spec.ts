import { expectEventually } from '@crm/testing';
import { useContactsApp, WRITER } from '../testing/contacts.fixture.js';

const contacts = useContactsApp();
const { call } = contacts;

describe('contacts: import', () => {
  it('imports valid rows of a CSV file, reports the refused ones by row and code, and shows progress to its owner only', async () => {
    const csv = [
      'name.given,name.family,emails,phones,addresses.street,addresses.city,addresses.country',
      'Imp,One,imp.one@example.com,+4915100000001,"Main 1\nSide 2","Berlin\nHamburg","DE\nDE"',
      'Imp,Two,not-an-email,,,,',
      'Imp,Three,"imp.three@example.com\nimp.3@example.com",,,,',
      'Imp,Four,imp.four@example.com,12,,,',
    ].join('\r\n');
    const started = await call('POST', '/v1/contacts/import', WRITER, { purpose: 'sales', format: 'csv', content: csv });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({
      status: 'queued',
      totalRows: 4,
      rejectedRows: 2,
      rejected: [
        { row: 2, code: 'CONTACT_FIELD_INVALID' },
        { row: 4, code: 'CONTACT_FIELD_INVALID' },
      ],
    });
    expect(started.text).not.toContain('not-an-email');

    const done = await expectEventually(async () => {
      const report = await call('GET', `/v1/contacts/imports/${started.body.importId}`, WRITER);
      expect(report.body.status).toBe('completed');
      return report.body;
    });
    expect(done).toMatchObject({ processedRows: 4, importedRows: 2 });
    const found = await call('GET', '/v1/contacts?purpose=customer-service&email=imp.3@example.com', WRITER);
    expect(found.body.items[0].data.addresses).toBeUndefined();
    const one = await call('GET', '/v1/contacts?purpose=customer-service&email=imp.one@example.com', WRITER);
    expect(one.body.items[0].data.addresses).toEqual([
      { street: 'Main 1', city: 'Berlin', country: 'DE' },
      { street: 'Side 2', city: 'Hamburg', country: 'DE' },
    ]);

    const stranger = await fetch(`${contacts.url}/v1/contacts/imports/${started.body.importId}`, {
      headers: { authorization: `Bearer ${await contacts.issuer.token({ perms: WRITER })}` },
    });
    expect(stranger.status).toBe(404);
  });

  it('refuses a malformed file or unknown columns as a whole, naming the line or column position', async () => {
    const malformed = await call('POST', '/v1/contacts/import', WRITER, { purpose: 'sales', format: 'csv', content: 'name.given\n"open' });
    expect([malformed.status, malformed.body.code]).toEqual([400, 'IMPORT_MALFORMED']);
    const unknown = await call('POST', '/v1/contacts/import', WRITER, { purpose: 'sales', format: 'csv', content: 'name.given,shoeSize\nAnn,42' });
    expect([unknown.status, unknown.body.code, unknown.body.details]).toEqual([400, 'IMPORT_COLUMN_UNKNOWN', { columns: [2] }]);
    const lines = await call('POST', '/v1/contacts/import', WRITER, { purpose: 'sales', format: 'jsonl', content: '{"name":{"given":"Jay"}}\n{oops' });
    expect(lines.body).toMatchObject({ totalRows: 2, rejected: [{ row: 2, code: 'IMPORT_ROW_MALFORMED' }] });
  });

  it("reports unknown fields of a JSON-lines row by their number, never by the caller's keys", async () => {
    const content = ['{"name":{"given":"Kim"}}', '{"name":{"given":"Lou"},"lou.secret@example.com":"x","name2":{"ssn":"123-45-6789"}}'].join('\n');

    const report = await call('POST', '/v1/contacts/import', WRITER, { purpose: 'sales', format: 'jsonl', content });

    expect(report.body).toMatchObject({ totalRows: 2, rejected: [{ row: 2, code: 'CONTACT_FIELD_UNKNOWN', unknownFields: 2 }] });
    expect(report.text).not.toContain('lou.secret');
    expect(report.text).not.toContain('name2');
  });
});
