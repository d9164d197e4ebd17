import type { AppError } from '@crm/errors';
import {
  CONTACT_FIELDS,
  RECTIFIABLE_UNITS,
  categoryOf,
  fieldsForPurpose,
  validateContactInput,
  validateContactPatch,
  validateTransactionInput,
} from './index.js';

const off = { allowSpecialCategories: false };
const on = { allowSpecialCategories: true };

/** Runs `fn`, expects an AppError, returns it for inspection. */
function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected an error');
}

const violations = (fn: () => unknown) => (thrown(fn).details as { fields: unknown[] }).fields;

describe('contact field catalogue', () => {
  it('declares each path once, with at least one purpose, and seals everything but amounts and currencies', () => {
    const paths = CONTACT_FIELDS.map((spec) => spec.path);
    expect(new Set(paths).size).toBe(paths.length);
    expect(CONTACT_FIELDS.every((spec) => spec.purposes.length > 0)).toBe(true);
    expect(CONTACT_FIELDS.filter((spec) => !spec.sealed).map((spec) => spec.path)).toEqual(['transactions[].amountCents', 'transactions[].currency']);
  });

  it('given a purpose, when asked for its fields, then only the fields declared for it are returned', () => {
    const analytics = fieldsForPurpose('analytics').map((spec) => spec.path);
    expect(analytics).toEqual([
      'addresses[].country',
      'preferences.categories[]',
      'transactions[].amountCents',
      'transactions[].currency',
      'transactions[].occurredAt',
    ]);
    expect(fieldsForPurpose('marketing').map((spec) => spec.path)).not.toContain('phones[]');
    expect(fieldsForPurpose('nonsense' as never)).toEqual([]);
  });

  it('given a catalogue or a concrete path, then categoryOf names its category; an undeclared path has none', () => {
    expect(categoryOf('name.given')).toBe('identity');
    expect(categoryOf('emails[3]')).toBe('contact');
    expect(categoryOf('addresses[1].city')).toBe('contact');
    expect(categoryOf('transactions[].amountCents')).toBe('financial');
    expect(categoryOf('preferences.channels[]')).toBe('preference');
    expect(categoryOf('healthNotes')).toBe('special');
    expect(categoryOf('ssn')).toBeUndefined();
  });

  it('derives the rectifiable units from the catalogue, without transactions', () => {
    expect(RECTIFIABLE_UNITS).toEqual([
      'name.given',
      'name.family',
      'birthDate',
      'emails',
      'phones',
      'addresses',
      'preferences.channels',
      'preferences.categories',
      'notes',
      'healthNotes',
    ]);
  });
});

describe('validateContactInput', () => {
  it('given valid input, then text is trimmed and NFC-normalised, the e-mail domain lower-cased, phones compacted to E.164', () => {
    const data = validateContactInput(
      {
        name: { given: '  Zoe\u0308 ', family: 'Müller' },
        emails: [' Jane.Doe+crm@Example.COM '],
        phones: ['+49 (151) 2345-6789'],
        addresses: [{ street: 'Hauptstr. 1', postalCode: '10115', city: 'Berlin', country: 'de' }],
        birthDate: '1990-02-28',
        preferences: { channels: ['email', 'post'], categories: ['books'] },
        notes: ['prefers mornings'],
      },
      off,
    );
    expect(data).toEqual({
      name: { given: 'Zoë', family: 'Müller' },
      emails: ['Jane.Doe+crm@example.com'],
      phones: ['+4915123456789'],
      addresses: [{ street: 'Hauptstr. 1', postalCode: '10115', city: 'Berlin', country: 'DE' }],
      birthDate: '1990-02-28',
      preferences: { channels: ['email', 'post'], categories: ['books'] },
      notes: ['prefers mornings'],
    });
    expect(data.name?.given).toBe('Zo\u00eb');
  });

  it('given empty lists and objects, then they are dropped (one representation of "no value")', () => {
    expect(validateContactInput({ emails: [], name: {}, preferences: { channels: [] } }, off)).toEqual({});
  });

  it('given unknown fields, then CONTACT_FIELD_UNKNOWN names their paths only, before any other problem', () => {
    const error = thrown(() => validateContactInput({ ssn: '123-45-6789', name: { middle: 'Q' }, addresses: [{ planet: 'Mars' }], emails: ['nope'] }, off));
    expect(error.code).toBe('CONTACT_FIELD_UNKNOWN');
    expect(error.kind).toBe('invalid');
    expect(error.details).toEqual({ fields: ['ssn', 'name.middle', 'addresses[0].planet'] });
    expect(JSON.stringify(error.details) + error.message).not.toMatch(/123-45|Mars|nope/);
  });

  it.each([
    ['plain', 'jane@example.com', 'jane@example.com'],
    ['IDN domain', 'jane@bücher.de', 'jane@bücher.de'],
    ['sub-addressing and subdomains', 'a.b+c@mail.example.co.uk', 'a.b+c@mail.example.co.uk'],
  ])('given a valid e-mail (%s), then it is accepted', (_label, email, expected) => {
    expect(validateContactInput({ emails: [email] }, off).emails).toEqual([expected]);
  });

  it.each([
    ['no @', 'jane.example.com'],
    ['no local part', '@example.com'],
    ['no domain', 'jane@'],
    ['single-label domain', 'jane@localhost'],
    ['double dot', 'jane..doe@example.com'],
    ['leading dot', '.jane@example.com'],
    ['space inside', 'jane doe@example.com'],
    ['quoted local part', '"jane doe"@example.com'],
    ['address literal', 'jane@[192.0.2.1]'],
    ['two @', 'a@b@example.com'],
    ['label ending in hyphen', 'jane@example-.com'],
    ['numeric TLD', 'jane@example.123'],
    ['local part over 64', `${'a'.repeat(65)}@example.com`],
  ])('given a malformed e-mail (%s), then CONTACT_FIELD_INVALID names the field and rule only', (_label, email) => {
    const error = thrown(() => validateContactInput({ emails: ['ok@example.com', email] }, off));
    expect(error.code).toBe('CONTACT_FIELD_INVALID');
    expect(error.details).toEqual({ fields: [{ field: 'emails[1]', rule: 'email' }] });
  });

  it('given an e-mail over 254 characters, then it is refused with its limit', () => {
    const email = `${'a'.repeat(60)}@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.example.com`;
    expect(email.length).toBeGreaterThan(254);
    expect(violations(() => validateContactInput({ emails: [email] }, off))).toEqual([{ field: 'emails[0]', rule: 'maxLength', max: 254 }]);
  });

  it.each([['0151 2345678'], ['+0151234567'], ['+49 151 abc'], ['+123456'], ['+1234567890123456'], ['+49151234567 ext. 12']])(
    'given a phone that is not E.164 (%s), then it is refused',
    (phone) => {
      expect(violations(() => validateContactInput({ phones: [phone] }, off))).toEqual([{ field: 'phones[0]', rule: 'phone' }]);
    },
  );

  it('given oversized text, too many items and wrong types, then every violation is reported at once', () => {
    const fields = violations(() =>
      validateContactInput(
        {
          name: { given: 'x'.repeat(101), family: 42 },
          emails: 'jane@example.com',
          notes: Array.from({ length: 101 }, () => 'n'),
          birthDate: '1990-02-30',
          addresses: [{ country: 'DEU' }, 'Berlin'],
          preferences: { channels: ['pigeon'] },
        },
        off,
      ),
    );
    expect(fields).toEqual([
      { field: 'name.given', rule: 'maxLength', max: 100 },
      { field: 'name.family', rule: 'type' },
      { field: 'emails', rule: 'type' },
      { field: 'notes', rule: 'maxItems', max: 100 },
      { field: 'birthDate', rule: 'date' },
      { field: 'addresses[0].country', rule: 'country' },
      { field: 'addresses[1]', rule: 'type' },
      { field: 'preferences.channels[0]', rule: 'enum' },
    ]);
  });

  it('counts length in code points after NFC, so a name of 100 accented letters fits either way it is typed', () => {
    expect(validateContactInput({ name: { given: 'e\u0301'.repeat(100) } }, off).name?.given).toBe('\u00e9'.repeat(100));
  });

  it('given blank text, null or a non-object root, then they are invalid', () => {
    expect(violations(() => validateContactInput({ name: { given: '   ' }, birthDate: null }, off))).toEqual([
      { field: 'name.given', rule: 'empty' },
      { field: 'birthDate', rule: 'type' },
    ]);
    expect(violations(() => validateContactInput([], off))).toEqual([{ field: '(root)', rule: 'type' }]);
  });

  it('given special-category data while disabled, then CONTACT_SPECIAL_CATEGORY_REFUSED; enabled, it is accepted', () => {
    const error = thrown(() => validateContactInput({ healthNotes: 'diabetic' }, off));
    expect(error.code).toBe('CONTACT_SPECIAL_CATEGORY_REFUSED');
    expect(error.details).toEqual({ fields: ['healthNotes'], category: 'special' });
    expect(validateContactInput({ healthNotes: ' diabetic ' }, on)).toEqual({ healthNotes: 'diabetic' });
  });

  it('refuses transaction fields as contact data: transactions are added by their own command', () => {
    expect(thrown(() => validateContactInput({ transactions: [] }, off)).code).toBe('CONTACT_FIELD_UNKNOWN');
  });
});

describe('validateContactPatch', () => {
  it('given null or an empty list, then the unit is marked for removal; absent units stay untouched', () => {
    expect(validateContactPatch({ birthDate: null, emails: [], name: { family: null, given: 'Ann' } }, off)).toEqual({
      birthDate: null,
      emails: null,
      name: { family: null, given: 'Ann' },
    });
  });

  it('given null where a unit is not (inside a list or for a whole object), then it is a type error', () => {
    expect(violations(() => validateContactPatch({ name: null, addresses: [{ city: null }] }, off))).toEqual([
      { field: 'name', rule: 'type' },
      { field: 'addresses[0].city', rule: 'type' },
    ]);
  });

  it('given special categories disabled, then setting one is refused but removing one is allowed', () => {
    expect(thrown(() => validateContactPatch({ healthNotes: 'x' }, off)).code).toBe('CONTACT_SPECIAL_CATEGORY_REFUSED');
    expect(validateContactPatch({ healthNotes: null }, off)).toEqual({ healthNotes: null });
  });
});

describe('validateTransactionInput', () => {
  const valid = { description: ' Order 1 ', amountCents: 1999, currency: 'eur', occurredAt: '2025-03-01T10:00:00Z' };

  it('given a valid transaction, then it is normalised (bigint cents, upper-case currency, canonical instant)', () => {
    expect(validateTransactionInput(valid)).toEqual({ description: 'Order 1', amountCents: 1999n, currency: 'EUR', occurredAt: '2025-03-01T10:00:00.000Z' });
    expect(validateTransactionInput({ ...valid, amountCents: -500n }).amountCents).toBe(-500n);
  });

  it('given missing, malformed or unknown fields, then they are refused by path and rule', () => {
    expect(violations(() => validateTransactionInput({ description: 'x' }))).toEqual([
      { field: 'amountCents', rule: 'required' },
      { field: 'currency', rule: 'required' },
      { field: 'occurredAt', rule: 'required' },
    ]);
    expect(violations(() => validateTransactionInput({ ...valid, amountCents: 19.99, currency: 'EURO', occurredAt: '2025-02-30T10:00:00Z' }))).toEqual([
      { field: 'amountCents', rule: 'integer' },
      { field: 'currency', rule: 'currency' },
      { field: 'occurredAt', rule: 'instant' },
    ]);
    expect(violations(() => validateTransactionInput({ ...valid, amountCents: 10n ** 14n, occurredAt: '2025-03-01 10:00' }))).toEqual([
      { field: 'amountCents', rule: 'range' },
      { field: 'occurredAt', rule: 'instant' },
    ]);
    expect(thrown(() => validateTransactionInput({ ...valid, iban: 'DE00' })).details).toEqual({ fields: ['iban'] });
  });
});
