import { ConfigError } from '@crm/config';
import { DEFAULT_PASSWORD_POLICY, checkNewPassword, checkPasswordHistory, definePasswordPolicy } from '../password-policy/index.js';
import { OWASP_ARGON2ID_SETTINGS, PasswordHasher, loadPasswordHashingSettings } from './index.js';

const hasher = new PasswordHasher();
const PASSWORD = 'Vq7#mZt2!pLw';

describe('password hashing (Argon2id)', () => {
  it('given a password, when hashed, then the PHC string names Argon2id with the OWASP parameters and a salt', async () => {
    const hash = await hasher.hash(PASSWORD);

    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await hasher.hash(PASSWORD)).not.toBe(hash);
  });

  it('given the right password, then verify is true; given a wrong one, then false', async () => {
    const hash = await hasher.hash(PASSWORD);

    expect(await hasher.verify(hash, PASSWORD)).toBe(true);
    expect(await hasher.verify(hash, 'Vq7#mZt2!pLW')).toBe(false);
  });

  it('given a password of more than 64 characters, then it is not truncated: one more character is another password', async () => {
    const long = 'x'.repeat(100);
    const hash = await hasher.hash(long);

    expect(await hasher.verify(hash, long)).toBe(true);
    expect(await hasher.verify(hash, `${long}x`)).toBe(false);
    expect(await hasher.verify(hash, long.slice(0, 64))).toBe(false);
    expect(await hasher.hash(`${long}x`)).not.toBe(hash);
  });

  it('given the full-width form of a password, then it verifies against the hash of the ASCII form (NFKC)', async () => {
    const hash = await hasher.hash(PASSWORD);

    expect(await hasher.verify(hash, 'Ｖｑ７＃ｍＺｔ２！ｐＬｗ')).toBe(true);
    expect(await hasher.verify(await hasher.hash('Café!1x'), 'Cafe\u0301!1x')).toBe(true);
  });

  it.each(['', 'garbage', '$argon2id$v=19$m=19456,t=2,p=1$short', '$2b$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234', '$argon2id$'])(
    'given the malformed hash %j, then verify is false and does not throw',
    async (malformed) => {
      await expect(hasher.verify(malformed, PASSWORD)).resolves.toBe(false);
    },
  );

  it('given a lone surrogate, then hashing refuses it and verifying is false', async () => {
    await expect(hasher.hash('abc\uDC00')).rejects.toMatchObject({ code: 'PASSWORD_MALFORMED', kind: 'invalid' });
    await expect(hasher.verify(await hasher.hash(PASSWORD), 'abc\uDC00')).resolves.toBe(false);
  });

  it('given hashes made with other parameters or algorithms, then needsRehash; with the current ones, then not', async () => {
    const stronger = new PasswordHasher({ memoryCost: 47_104, timeCost: 1, parallelism: 1 });
    const current = await hasher.hash(PASSWORD);
    const old = await stronger.hash(PASSWORD);

    expect(hasher.needsRehash(current)).toBe(false);
    expect(hasher.needsRehash(old)).toBe(true);
    expect(stronger.needsRehash(current)).toBe(true);
    expect(await hasher.verify(old, PASSWORD)).toBe(true);
    expect(hasher.needsRehash(current.replace('$argon2id$', '$argon2i$'))).toBe(true);
    expect(hasher.needsRehash('garbage')).toBe(true);
  });

  it('given any password, then verifyAgainstDummy does the same work and is always false', async () => {
    await expect(hasher.verifyAgainstDummy(PASSWORD)).resolves.toBe(false);
    await expect(hasher.verifyAgainstDummy('')).resolves.toBe(false);
  });

  it('given parameters below OWASP’s weakest configuration, then the hasher refuses them; the weakest one itself is used as given', async () => {
    expect(() => new PasswordHasher({ memoryCost: 4_096, timeCost: 1, parallelism: 1 })).toThrow(/7168/);
    expect(() => new PasswordHasher({ memoryCost: 7_168, timeCost: 2, parallelism: 1 })).toThrow(/35840/);

    const weakest = new PasswordHasher({ memoryCost: 7_168, timeCost: 5, parallelism: 1 });

    expect(await weakest.hash(PASSWORD)).toMatch(/^\$argon2id\$v=19\$m=7168,t=5,p=1\$/);
  });
});

describe('password hashing configuration', () => {
  it('given no variables, then the OWASP parameters', () => {
    expect(loadPasswordHashingSettings({})).toEqual(OWASP_ARGON2ID_SETTINGS);
    expect(OWASP_ARGON2ID_SETTINGS).toEqual({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });
  });

  it('given CRM_PASSWORD_ARGON2_* variables, then they are applied, and too weak ones fail boot naming the variable', () => {
    expect(loadPasswordHashingSettings({ CRM_PASSWORD_ARGON2_MEMORY_KIB: '47104', CRM_PASSWORD_ARGON2_TIME_COST: '1' })).toEqual({
      memoryCost: 47_104,
      timeCost: 1,
      parallelism: 1,
    });
    expect(() => loadPasswordHashingSettings({ CRM_PASSWORD_ARGON2_MEMORY_KIB: '19456', CRM_PASSWORD_ARGON2_TIME_COST: '1' })).toThrow(ConfigError);
    expect(() => loadPasswordHashingSettings({ CRM_PASSWORD_ARGON2_MEMORY_KIB: 'lots' })).toThrow(/CRM_PASSWORD_ARGON2_MEMORY_KIB/);
  });
});

describe('password history (business policy)', () => {
  const withHistory = definePasswordPolicy({ historySize: 2 });
  const verify = hasher.verify.bind(hasher);

  it('given a password among the last historySize hashes, then PASSWORD_REUSED; older ones are forgotten', async () => {
    const previousHashes = [await hasher.hash('Newest#Pw1x'), await hasher.hash('Middle#Pw2x'), await hasher.hash('Oldest#Pw3x')];

    expect(await checkPasswordHistory(withHistory, 'Middle#Pw2x', { previousHashes, verify })).toEqual([
      { code: 'PASSWORD_REUSED', details: { historySize: 2 } },
    ]);
    expect(await checkPasswordHistory(withHistory, 'Ｍｉｄｄｌｅ#Pw2x', { previousHashes, verify })).toHaveLength(1);
    expect(await checkPasswordHistory(withHistory, 'Oldest#Pw3x', { previousHashes, verify })).toEqual([]);
    expect(await checkPasswordHistory(DEFAULT_PASSWORD_POLICY, 'Newest#Pw1x', { previousHashes, verify })).toEqual([]);
  });

  it('given checkNewPassword, then reuse is checked only once the other rules pass', async () => {
    const previousHashes = [await hasher.hash(PASSWORD)];

    expect(await checkNewPassword(withHistory, PASSWORD, {}, { previousHashes, verify })).toEqual([{ code: 'PASSWORD_REUSED', details: { historySize: 2 } }]);
    expect((await checkNewPassword(withHistory, 'short', {}, { previousHashes, verify })).map((entry) => entry.code)).not.toContain('PASSWORD_REUSED');
    expect(await checkNewPassword(withHistory, 'Other#Pw9zq', {}, { previousHashes, verify })).toEqual([]);
  });
});
