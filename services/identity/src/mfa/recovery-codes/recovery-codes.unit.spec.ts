import {
  DEFAULT_RECOVERY_CODE_COUNT,
  RECOVERY_CODE_ALPHABET,
  RECOVERY_CODE_BITS,
  generateRecoveryCodes,
  hashRecoveryCode,
  matchRecoveryCode,
  normaliseRecoveryCode,
} from '../index.js';

const FORMAT = /^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/;

describe('recovery codes: generation', () => {
  it('given the defaults, then 10 distinct codes formatted xxxxx-xxxxx-xxxxx', () => {
    const codes = generateRecoveryCodes();

    expect(DEFAULT_RECOVERY_CODE_COUNT).toBe(10);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(FORMAT);
  });

  it('given the alphabet, then 32 symbols without look-alikes, and each code carries at least 64 bits', () => {
    expect(new Set(RECOVERY_CODE_ALPHABET).size).toBe(32);
    expect(RECOVERY_CODE_ALPHABET).not.toMatch(/[ilou]/);
    expect(RECOVERY_CODE_BITS).toBe(75);
    expect(RECOVERY_CODE_BITS).toBeGreaterThanOrEqual(64);
    expect(generateRecoveryCodes(1)[0]!.replace(/-/g, '')).toHaveLength(RECOVERY_CODE_BITS / Math.log2(RECOVERY_CODE_ALPHABET.length));
  });

  it('given injected randomness, then every byte maps to one symbol by its low 5 bits', () => {
    const sequence = (size: number) => Uint8Array.from({ length: size }, (_, index) => index + 32 * 7);

    expect(generateRecoveryCodes(1, sequence)).toEqual(['01234-56789-abcde']);
  });

  it('given repeated randomness, then duplicates are drawn again so a set never holds one code twice', () => {
    let call = 0;
    const repeating = (size: number) => new Uint8Array(size).fill(call++ < 2 ? 0 : 1);

    expect(generateRecoveryCodes(2, repeating)).toEqual(['00000-00000-00000', '11111-11111-11111']);
  });

  it.each([0, 101, 2.5])('given a count of %s, then refused', (count) => {
    expect(() => generateRecoveryCodes(count)).toThrow(RangeError);
  });
});

describe('recovery codes: normalisation', () => {
  it('given case, spaces, dashes and full-width forms, then the canonical 15 symbols', () => {
    expect(normaliseRecoveryCode('7K3QZ-M9D2X-A0P4H')).toBe('7k3qzm9d2xa0p4h');
    expect(normaliseRecoveryCode(' 7k3qz m9d2x a0p4h ')).toBe('7k3qzm9d2xa0p4h');
    expect(normaliseRecoveryCode('7k3qzm9d2xa0p4h')).toBe('7k3qzm9d2xa0p4h');
    expect(normaliseRecoveryCode('７ｋ３ｑｚ－ｍ９ｄ２ｘ－ａ０ｐ４ｈ')).toBe('7k3qzm9d2xa0p4h');
  });

  it('given look-alikes, then O is read as 0 and I or L as 1', () => {
    expect(normaliseRecoveryCode('7k3qz-m9d2x-aOp4h')).toBe('7k3qzm9d2xa0p4h');
    expect(normaliseRecoveryCode('1l1i1-00000-00000')).toBe('111110000000000');
  });

  it.each(['', '7k3qz-m9d2x', '7k3qz-m9d2x-a0p4h-x', '7k3qz-m9d2x-a0p4u', '7k3qz_m9d2x_a0p4h'])('given %j, then not a code', (input) => {
    expect(normaliseRecoveryCode(input)).toBeUndefined();
  });
});

describe('recovery codes: hashing and matching', () => {
  it('given stored hashes, then a code matches its own index in any spelling, and nothing else matches', async () => {
    const codes = generateRecoveryCodes(3);
    const hashes = await Promise.all(codes.map(hashRecoveryCode));

    expect(hashes[0]).toMatch(/^\$argon2id\$v=19\$m=4096,t=1,p=1\$/);
    expect(await matchRecoveryCode(codes[1]!, hashes)).toBe(1);
    expect(await matchRecoveryCode(codes[2]!.toUpperCase().replace(/-/g, ' '), hashes)).toBe(2);
    expect(await matchRecoveryCode(generateRecoveryCodes(1)[0]!, hashes)).toBe(-1);
  });

  it('given malformed input or malformed hashes, then -1 without an exception', async () => {
    const hash = await hashRecoveryCode('7k3qz-m9d2x-a0p4h');

    expect(await matchRecoveryCode('not a code', [hash])).toBe(-1);
    expect(await matchRecoveryCode('7k3qz-m9d2x-a0p4h', ['garbage', hash])).toBe(1);
    expect(await matchRecoveryCode('7k3qz-m9d2x-a0p4h', [])).toBe(-1);
  });

  it('given something that is not a code, then hashing refuses it', async () => {
    await expect(hashRecoveryCode('hunter2')).rejects.toMatchObject({ code: 'RECOVERY_CODE_INVALID', message: expect.not.stringContaining('hunter2') });
  });
});
