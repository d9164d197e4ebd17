import { minimiseToPurpose, validateContactInput } from '../contact-schema/index.js';
import { CONTACT_CSV_COLUMNS, catalogPathOfColumn, contactToCsvCells, csvCellsToContactInput } from './contact-csv.mapping.js';
import { csvCell, writeCsv } from '@crm/http';
import { CsvSyntaxError, parseCsv } from './csv.format.js';

describe('CSV format (RFC 4180)', () => {
  it('given quotes, commas and line breaks in fields, when written and parsed, then every field comes back as it was', () => {
    const rows = [['a,b', 'say "hi"', 'line 1\nline 2', '', 'plain']];
    expect(parseCsv(writeCsv(['h1', 'h2', 'h3', 'h4', 'h5'], rows))).toEqual([['h1', 'h2', 'h3', 'h4', 'h5'], ...rows]);
  });

  it('given LF line ends, a BOM and a trailing newline, when parsed, then they are accepted', () => {
    expect(parseCsv('\uFEFFa,b\n1,2\n')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('given an unclosed quote or text after a closing quote, when parsed, then a syntax error names the line', () => {
    expect(() => parseCsv('a\n"open')).toThrow(CsvSyntaxError);
    expect(() => parseCsv('a\n"x"y')).toThrow(expect.objectContaining({ line: 2 }));
  });

  it('given a value a spreadsheet would run as a formula, when written, then it is neutralised; plain numbers stay', () => {
    expect(csvCell('=HYPERLINK("http://evil")')).toBe(`"'=HYPERLINK(""http://evil"")"`);
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('+4915123456789')).toBe('+4915123456789');
    expect(csvCell('-12')).toBe('-12');
  });
});

describe('contact ↔ CSV row', () => {
  const contact = validateContactInput(
    {
      name: { given: 'Ann', family: 'Lee' },
      emails: ['ann@example.com', 'a.lee@example.com'],
      addresses: [
        { street: 'Main 1', city: 'Berlin', country: 'DE' },
        { city: 'Hamburg', country: 'DE' },
      ],
      preferences: { channels: ['email', 'sms'] },
    },
    { allowSpecialCategories: false },
  );

  it('given the catalogue, then there is one column per contact leaf and none for transactions', () => {
    expect(CONTACT_CSV_COLUMNS).toContain('addresses.city');
    expect(CONTACT_CSV_COLUMNS.some((column) => column.startsWith('transactions'))).toBe(false);
    expect(catalogPathOfColumn('addresses.city')).toBe('addresses[].city');
    expect(catalogPathOfColumn('shoeSize')).toBeUndefined();
  });

  it('given lists and several addresses, when written as a row and read back, then the contact is the same', () => {
    const cells = contactToCsvCells(contact, CONTACT_CSV_COLUMNS);
    expect(cells[CONTACT_CSV_COLUMNS.indexOf('addresses.street')]).toBe('Main 1\n');
    expect(validateContactInput(csvCellsToContactInput(CONTACT_CSV_COLUMNS, cells), { allowSpecialCategories: false })).toEqual(contact);
  });
});

describe('minimisation to a purpose', () => {
  it('given a full contact, when minimised for marketing, then only the fields marketing may see remain, and they are listed', () => {
    const full = validateContactInput(
      { name: { given: 'Ann' }, emails: ['ann@example.com'], phones: ['+4915123456789'], birthDate: '1990-01-01', preferences: { channels: ['email'] } },
      { allowSpecialCategories: false },
    );
    expect(minimiseToPurpose(full, 'marketing')).toEqual({
      value: { name: { given: 'Ann' }, emails: ['ann@example.com'], preferences: { channels: ['email'] } },
      fields: ['name.given', 'emails[]', 'preferences.channels[]'],
    });
    expect(minimiseToPurpose(full, 'analytics')).toEqual({ value: {}, fields: [] });
  });

  it('given a transaction, when minimised under its prefix, then amounts stay for analytics and the description does not', () => {
    const transaction = { description: 'Bike', amountCents: 100, currency: 'EUR', occurredAt: '2026-01-01T00:00:00.000Z' };
    expect(minimiseToPurpose(transaction, 'analytics', 'transactions[].').value).toEqual({
      amountCents: 100,
      currency: 'EUR',
      occurredAt: '2026-01-01T00:00:00.000Z',
    });
  });
});
