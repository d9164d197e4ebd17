import { BlindIndexer, computeBlindIndex, deriveBlindIndexKey } from './blind-indexer.js';
import { nameTokens, normaliseEmail, normalisePhone } from './blind-index.normalisers.js';

const rootKey = Uint8Array.from({ length: 32 }, (_, i) => i);
const indexes = {
  'contacts.email': 'email',
  'identity.login_email': 'email',
  'contacts.phone': 'phone',
  'contacts.name': 'name',
  'contacts.birth_year': { normaliser: 'exact', bytes: 4 },
} as const;
const indexer = new BlindIndexer(rootKey, indexes);

describe('blind indexes', () => {
  it('given the same root key and value, then the index value is deterministic (across instances) and 16 bytes of hex', () => {
    const again = new BlindIndexer(Uint8Array.from(rootKey), indexes);

    expect(indexer.blindIndex('contacts.email', 'jane@example.com')).toBe(again.blindIndex('contacts.email', 'jane@example.com'));
    expect(indexer.blindIndex('contacts.email', 'jane@example.com')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('given e-mails that differ only in case, surrounding space or compatibility forms, then they index the same', () => {
    const expected = indexer.blindIndex('contacts.email', 'jane@example.com');

    expect(indexer.blindIndex('contacts.email', 'Jane@Example.COM ')).toBe(expected);
    expect(indexer.blindIndex('contacts.email', '\tJANE@EXAMPLE.COM')).toBe(expected);
    expect(indexer.blindIndex('contacts.email', 'ｊａｎｅ@example.com')).toBe(expected);
  });

  it('given e-mails that differ in dots or +tags, then they index differently (not every provider ignores them)', () => {
    const plain = indexer.blindIndex('contacts.email', 'jane@example.com');

    expect(indexer.blindIndex('contacts.email', 'j.ane@example.com')).not.toBe(plain);
    expect(indexer.blindIndex('contacts.email', 'jane+crm@example.com')).not.toBe(plain);
  });

  it('given one value in two indexes, then the index values are unrelated (per-index keys)', () => {
    expect(indexer.blindIndex('contacts.email', 'jane@example.com')).not.toBe(indexer.blindIndex('identity.login_email', 'jane@example.com'));
  });

  it('given another root key, then the index values differ', () => {
    const other = new BlindIndexer(
      Uint8Array.from({ length: 32 }, () => 7),
      indexes,
    );

    expect(other.blindIndex('contacts.email', 'jane@example.com')).not.toBe(indexer.blindIndex('contacts.email', 'jane@example.com'));
  });

  it('is HMAC-SHA256 under an HKDF-derived per-index key, truncated', () => {
    const key = deriveBlindIndexKey(rootKey, 'contacts.birth_year');

    expect(indexer.blindIndex('contacts.birth_year', ' 1984 ')).toBe(computeBlindIndex(key, '1984', 4));
    expect(indexer.blindIndex('contacts.birth_year', '1984')).toHaveLength(8);
  });

  it('given phone numbers written with different separators, then they index the same; with or without + they differ', () => {
    const expected = indexer.blindIndex('contacts.phone', '+491512345678');

    expect(indexer.blindIndex('contacts.phone', '+49 (151) 234-56.78')).toBe(expected);
    expect(indexer.blindIndex('contacts.phone', '＋４９ 151 2345678')).toBe(expected);
    expect(indexer.blindIndex('contacts.phone', '491512345678')).not.toBe(expected);
  });

  it('given a name, then there is one index value per token, diacritics and case folded', () => {
    expect(nameTokens('Zoë Müller-Lüdenscheidt')).toEqual(['zoe', 'muller', 'ludenscheidt']);
    expect(indexer.blindIndexTokens('contacts.name', 'Zoë Müller-Lüdenscheidt')).toEqual(indexer.blindIndexTokens('contacts.name', 'ZOE  muller/ludenscheidt'));
    expect(indexer.blindIndexTokens('contacts.name', 'Zoë Müller-Lüdenscheidt')).toContain(indexer.blindIndexTokens('contacts.name', 'Müller')[0]);
    expect(indexer.blindIndex('contacts.name', 'Zoë Müller-Lüdenscheidt')).toBe(indexer.blindIndex('contacts.name', 'zoe muller ludenscheidt'));
  });
});

describe('normalisers', () => {
  it('normalise e-mail: trim, NFKC, lower-case, IDN domain to punycode', () => {
    expect(normaliseEmail('  Jane.Doe+News@Example.COM ')).toBe('jane.doe+news@example.com');
    expect(normaliseEmail('jane@Müller.DE')).toBe('jane@xn--mller-kva.de');
  });

  it.each(['', 'jane', '@example.com', 'jane@', 'ja ne@example.com'])('refuse %j as an e-mail address', (value) => {
    expect(() => normaliseEmail(value)).toThrow(expect.objectContaining({ code: 'BLIND_INDEX_VALUE_INVALID' }));
  });

  it.each(['+49 151', '12345', '+49 151 CALL ME', '0800-FLOWERS', '+1234567890123456'])('refuse %j as a phone number', (value) => {
    expect(() => normalisePhone(value)).toThrow(expect.objectContaining({ code: 'BLIND_INDEX_VALUE_INVALID' }));
  });

  it('refuse a name without letters', () => {
    expect(() => nameTokens(' - 42 ')).toThrow(expect.objectContaining({ code: 'BLIND_INDEX_VALUE_INVALID' }));
  });
});

describe('index configuration', () => {
  it('refuses an index name that was not configured, and tokens from a non-name index', () => {
    expect(() => indexer.blindIndex('contacts.unknown' as 'contacts.email', 'x')).toThrow(expect.objectContaining({ code: 'BLIND_INDEX_UNKNOWN' }));
    expect(() => indexer.blindIndexTokens('contacts.email', 'Jane')).toThrow(expect.objectContaining({ code: 'BLIND_INDEX_KIND_MISMATCH' }));
  });
});
