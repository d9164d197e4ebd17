import { ConfigError } from '@crm/config';
import {
  DEFAULT_PASSWORD_POLICY,
  checkPassword,
  definePasswordPolicy,
  isPasswordExpired,
  loadPasswordPolicy,
  passwordPolicyError,
  type PasswordViolationCode,
} from './index.js';

/** Satisfies every default rule: 12 characters, all four classes, no dictionary core, no personal data. */
const STRONG = 'Vq7#mZt2!pLw';
const policy = DEFAULT_PASSWORD_POLICY;
const codes = (password: string, context = {}, onPolicy = policy): PasswordViolationCode[] =>
  checkPassword(onPolicy, password, context).map((entry) => entry.code);

describe('password policy: length (SP 800-63B §5.1.1.2)', () => {
  it('given the strong reference password, when checked, then nothing is violated', () => {
    expect(checkPassword(policy, STRONG)).toEqual([]);
  });

  it('given 7 characters, then PASSWORD_TOO_SHORT with the limit; given exactly 8, then accepted', () => {
    expect(checkPassword(policy, 'Vq7#mZt')).toEqual([{ code: 'PASSWORD_TOO_SHORT', details: { minLength: 8 } }]);
    expect(codes('Vq7#mZt2')).toEqual([]);
  });

  it('given 129 characters, then PASSWORD_TOO_LONG; given exactly 128, then accepted (never truncated)', () => {
    const long = STRONG.repeat(11); // 132
    expect(checkPassword(policy, long.slice(0, 129))).toEqual([{ code: 'PASSWORD_TOO_LONG', details: { maxLength: 128 } }]);
    expect(codes(long.slice(0, 128))).toEqual([]);
  });

  it('given a 64-character passphrase with spaces, then it is accepted as typed', () => {
    const passphrase = 'Correct horse, Battery staple! 42 lanterns drift over Vq7 river.';
    expect(passphrase.length).toBeGreaterThanOrEqual(64);
    expect(codes(passphrase)).toEqual([]);
  });

  it('given astral characters, then each code point counts once (not each UTF-16 unit)', () => {
    const sevenCodePoints = 'Aa1!😀😀😀'; // 10 UTF-16 units
    expect(codes(sevenCodePoints)).toContain('PASSWORD_TOO_SHORT');
    expect(codes(`${sevenCodePoints}😀`)).not.toContain('PASSWORD_TOO_SHORT');
  });

  it('given a megabyte, then it is refused as too long without further work', () => {
    expect(codes('a'.repeat(1_000_000))).toEqual(['PASSWORD_TOO_LONG']);
  });

  it('given a lone surrogate, then PASSWORD_MALFORMED (it could not be hashed faithfully)', () => {
    expect(codes(`${STRONG}\uD800`)).toEqual(['PASSWORD_MALFORMED']);
  });
});

describe('password policy: NFKC normalisation (SP 800-63B §5.1.1.2)', () => {
  it('given the full-width form of a password, then it is checked as the ASCII password', () => {
    const fullWidth = 'Ｖｑ７＃ｍＺｔ２！ｐＬｗ';
    expect(fullWidth.normalize('NFKC')).toBe(STRONG);
    expect(checkPassword(policy, fullWidth)).toEqual(checkPassword(policy, STRONG));
    expect(codes('ｐａｓｓｗｏｒｄ')).toEqual(codes('password'));
  });

  it('given a length counted after NFKC, then a ligature counts as the letters it stands for', () => {
    // U+FB01 "ﬁ" is two characters after NFKC: 7 code points typed, 8 checked.
    expect(codes('Vq7#ﬁZt')).not.toContain('PASSWORD_TOO_SHORT');
  });
});

describe('password policy: composition (configurable business policy)', () => {
  it.each([
    ['vq7#mzt2!plw', 'PASSWORD_NEEDS_UPPERCASE'],
    ['VQ7#MZT2!PLW', 'PASSWORD_NEEDS_LOWERCASE'],
    ['Vqx#mZtk!pLw', 'PASSWORD_NEEDS_DIGIT'],
    ['Vq7xmZt2ypLw', 'PASSWORD_NEEDS_SPECIAL'],
  ] as const)('given %j, then %s', (password, code) => {
    expect(codes(password)).toEqual([code]);
  });

  it('given Unicode letters and a space, then they count: Ä is upper case, ß lower case, a space is special', () => {
    expect(codes('Äßt7 mzqw')).toEqual([]);
  });

  it('given each rule switched off, then the matching password is accepted', () => {
    const nist = definePasswordPolicy({ requireUppercase: false, requireLowercase: false, requireDigit: false, requireSpecial: false });
    expect(codes('vq7#mzt2!plw', {}, nist)).toEqual([]);
    expect(codes('VQ7#MZT2!PLW', {}, nist)).toEqual([]);
    expect(codes('Vqx#mZtk!pLw', {}, nist)).toEqual([]);
    expect(codes('Vq7xmZt2ypLw', {}, nist)).toEqual([]);
    expect(codes('quiet lanterns drift', {}, nist)).toEqual([]);
  });

  it('given several broken rules, then all are reported at once', () => {
    expect(codes('abc')).toEqual(['PASSWORD_TOO_SHORT', 'PASSWORD_NEEDS_UPPERCASE', 'PASSWORD_NEEDS_DIGIT', 'PASSWORD_NEEDS_SPECIAL']);
  });
});

describe('password policy: personal data (SP 800-63B §5.1.1.2 context-specific words)', () => {
  const jane = { name: 'Jane Müller-Doe', email: 'j.doe_84@example.com', birthDate: '1984-04-07' };

  it('given a password with a name token in any case or with its accents, then PASSWORD_CONTAINS_NAME', () => {
    expect(codes('Xx7!JANExxq', jane)).toEqual(['PASSWORD_CONTAINS_NAME']);
    expect(codes('Xx7!mullerQ', jane)).toEqual(['PASSWORD_CONTAINS_NAME']);
    expect(codes('Xx7!MüLLeRQ', jane)).toEqual(['PASSWORD_CONTAINS_NAME']);
    expect(codes('Xx7!qdoeqQ', { name: ['Jane', 'Doe'] })).toEqual(['PASSWORD_CONTAINS_NAME']);
  });

  it('given name tokens shorter than 3 letters, then they are not refused (documented trade-off)', () => {
    expect(codes('Vq7#mZt2!pLwLi', { name: 'Li Jo' })).toEqual([]);
  });

  it('given the e-mail local part or a piece of it, then PASSWORD_CONTAINS_EMAIL', () => {
    expect(codes('Q7!j.doe_84Zx', { email: jane.email })).toEqual(['PASSWORD_CONTAINS_EMAIL']);
    expect(codes('Q7!xxDOEzZx', { email: jane.email })).toEqual(['PASSWORD_CONTAINS_EMAIL']);
    expect(codes('Q7!example.comZ', { email: jane.email })).toEqual([]);
  });

  it.each(['1984-04-07', '19840407', '07041984', '07.04.1984', '7.4.1984', '04/07/1984', '070484', '07.04.84', '840407'])(
    'given the birth date written as %s, then PASSWORD_CONTAINS_BIRTH_DATE',
    (written) => {
      expect(codes(`Qz!x${written}Aa`, { birthDate: jane.birthDate })).toEqual(['PASSWORD_CONTAINS_BIRTH_DATE']);
    },
  );

  it('given the birth year alone or day and month alone, then they are allowed (too little to identify the date)', () => {
    expect(codes('Qz!x1984Aaqq', { birthDate: jane.birthDate })).toEqual([]);
    expect(codes('Qz!x0704Aaqq', { birthDate: jane.birthDate })).toEqual([]);
  });

  it('given no context, then only the other rules apply', () => {
    expect(codes('Xx7!JANExxq')).toEqual([]);
  });

  it('given a birth date that is not ISO, then it is an internal error whose message has no value', () => {
    expect(() => checkPassword(policy, STRONG, { birthDate: '07.04.1984' })).toThrow(
      expect.objectContaining({ code: 'PASSWORD_CONTEXT_INVALID', message: expect.not.stringContaining('1984') }),
    );
  });
});

describe('password policy: common passwords (SP 800-63B §5.1.1.2 blocklist)', () => {
  const lax = definePasswordPolicy({ requireUppercase: false, requireLowercase: false, requireDigit: false, requireSpecial: false });

  it('given dictionary passwords in any case, then PASSWORD_TOO_COMMON (exact)', () => {
    expect(checkPassword(lax, 'password')).toEqual([{ code: 'PASSWORD_TOO_COMMON', details: { match: 'exact' } }]);
    expect(codes('PassWord', {}, lax)).toEqual(['PASSWORD_TOO_COMMON']);
    expect(codes('P@ssw0rd')).toEqual(['PASSWORD_TOO_COMMON']);
    expect(codes('iloveyou', {}, lax)).toEqual(['PASSWORD_TOO_COMMON']);
  });

  it('given a common password decorated to pass composition rules, then PASSWORD_TOO_COMMON (decorated)', () => {
    expect(checkPassword(policy, 'Password1!')).toEqual([{ code: 'PASSWORD_TOO_COMMON', details: { match: 'decorated' } }]);
    expect(codes('2024Sunshine!')).toEqual(['PASSWORD_TOO_COMMON']);
  });

  it('given a common word with a long random tail, then it is not refused for the word alone', () => {
    expect(codes('Dragon#4817!29xq')).toEqual([]);
  });

  it('given deployment words, then they are refused anywhere in the password', () => {
    const acme = definePasswordPolicy({ blockedWords: ['AcmeCRM'] });
    expect(checkPassword(acme, 'Xy7!acmecrm')).toEqual([{ code: 'PASSWORD_TOO_COMMON', details: { match: 'deployment_word' } }]);
    expect(codes(STRONG, {}, acme)).toEqual([]);
  });
});

describe('password expiry (business policy, off by default)', () => {
  const changedAt = new Date('2026-01-01T00:00:00Z');

  it('given the default policy, then a password never expires', () => {
    expect(isPasswordExpired(policy, changedAt, new Date('2036-01-01T00:00:00Z'))).toBe(false);
  });

  it('given maxAgeDays 90, then it expires exactly 90 days later, not a millisecond earlier', () => {
    const ninety = definePasswordPolicy({ maxAgeDays: 90 });
    expect(isPasswordExpired(ninety, changedAt, new Date('2026-04-01T00:00:00Z'))).toBe(true);
    expect(isPasswordExpired(ninety, changedAt, new Date('2026-03-31T23:59:59.999Z'))).toBe(false);
  });
});

describe('passwordPolicyError', () => {
  it('given violations, then one PASSWORD_POLICY_VIOLATED error lists the codes and parameters, never the password', () => {
    const error = passwordPolicyError(checkPassword(policy, 'ngozi', { name: 'Ngozi Okafor' }));

    expect(error).toMatchObject({ code: 'PASSWORD_POLICY_VIOLATED', kind: 'invalid', retriable: false });
    expect(error.details).toEqual({
      violations: ['PASSWORD_TOO_SHORT', 'PASSWORD_NEEDS_UPPERCASE', 'PASSWORD_NEEDS_DIGIT', 'PASSWORD_NEEDS_SPECIAL', 'PASSWORD_CONTAINS_NAME'],
      parameters: { PASSWORD_TOO_SHORT: { minLength: 8 } },
    });
    expect(JSON.stringify({ message: error.message, details: error.details }).toLowerCase()).not.toContain('ngozi');
  });
});

describe('password policy configuration', () => {
  it('given no variables, then the business defaults', () => {
    expect(loadPasswordPolicy({})).toEqual(DEFAULT_PASSWORD_POLICY);
  });

  it('given CRM_PASSWORD_* variables, then they are applied', () => {
    expect(
      loadPasswordPolicy({
        CRM_PASSWORD_MIN_LENGTH: '12',
        CRM_PASSWORD_MAX_LENGTH: '256',
        CRM_PASSWORD_REQUIRE_UPPERCASE: 'false',
        CRM_PASSWORD_REQUIRE_LOWERCASE: '0',
        CRM_PASSWORD_REQUIRE_DIGIT: 'no',
        CRM_PASSWORD_REQUIRE_SPECIAL: 'off',
        CRM_PASSWORD_BLOCKED_WORDS: 'acme, crm-suite ,',
        CRM_PASSWORD_MAX_AGE_DAYS: '365',
        CRM_PASSWORD_HISTORY_SIZE: '5',
      }),
    ).toEqual({
      minLength: 12,
      maxLength: 256,
      requireUppercase: false,
      requireLowercase: false,
      requireDigit: false,
      requireSpecial: false,
      blockedWords: ['acme', 'crm-suite'],
      maxAgeDays: 365,
      historySize: 5,
    });
    expect(loadPasswordPolicy({ CRM_PASSWORD_MAX_AGE_DAYS: '' }).maxAgeDays).toBeNull();
  });

  it('given values below the NIST floors or nonsense, then boot fails naming each variable', () => {
    const load = () => loadPasswordPolicy({ CRM_PASSWORD_MIN_LENGTH: '6', CRM_PASSWORD_MAX_LENGTH: '32', CRM_PASSWORD_REQUIRE_DIGIT: 'maybe' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/CRM_PASSWORD_REQUIRE_DIGIT/);
    expect(() => loadPasswordPolicy({ CRM_PASSWORD_MIN_LENGTH: '6', CRM_PASSWORD_MAX_LENGTH: '32' })).toThrow(
      /CRM_PASSWORD_MIN_LENGTH: at least 8[\s\S]*CRM_PASSWORD_MAX_LENGTH: at least 64/,
    );
  });
});
