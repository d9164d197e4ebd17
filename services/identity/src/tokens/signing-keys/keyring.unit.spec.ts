import { initialKeyring, parseKeyring, publishedKids, rotateKeyring, type Keyring } from './keyring.js';

const kid = (letter: string) => letter.repeat(43);
const A = kid('a');
const B = kid('b');
const C = kid('c');
const T0 = 1_800_000_000;
const policy = { accessTokenLifetimeSeconds: 600, clockToleranceSeconds: 5 };

describe('signing key rotation bookkeeping', () => {
  it('given a fresh keyring, then only its one key is published', () => {
    expect(publishedKids(initialKeyring(A, T0), T0)).toEqual([A]);
  });

  it('given a rotation, then the new key signs and the old one stays published until its last token has expired', () => {
    const { ring, dropped } = rotateKeyring(initialKeyring(A, T0), B, T0 + 100, policy);

    expect(dropped).toEqual([]);
    expect(ring).toEqual({
      generation: 2,
      current: B,
      keys: [
        { kid: B, createdAt: T0 + 100 },
        { kid: A, createdAt: T0, retiredAt: T0 + 100, publishUntil: T0 + 100 + 605 },
      ],
    });
    expect(publishedKids(ring, T0 + 100)).toEqual([B, A]);
    expect(publishedKids(ring, T0 + 100 + 604)).toEqual([B, A]);
    expect(publishedKids(ring, T0 + 100 + 605)).toEqual([B]);
  });

  it('given two quick rotations, then both retired keys are published, newest first', () => {
    const once = rotateKeyring(initialKeyring(A, T0), B, T0 + 10, policy).ring;
    const twice = rotateKeyring(once, C, T0 + 20, policy).ring;

    expect(publishedKids(twice, T0 + 20)).toEqual([C, B, A]);
    expect(publishedKids(twice, T0 + 10 + 605)).toEqual([C, B]);
  });

  it('given a retired key past its window, when rotating again, then it is dropped so its private key can be destroyed', () => {
    const once = rotateKeyring(initialKeyring(A, T0), B, T0, policy).ring;

    const { ring, dropped } = rotateKeyring(once, C, T0 + 605, policy);

    expect(dropped).toEqual([A]);
    expect(ring.keys.map((entry) => entry.kid)).toEqual([C, B]);
  });

  it('refuses to rotate to a key that is already in the keyring', () => {
    expect(() => rotateKeyring(initialKeyring(A, T0), A, T0, policy)).toThrow(/never used before/);
  });

  it('given a keyring read back from disk, then it round-trips; a tampered one is refused', () => {
    const ring: Keyring = rotateKeyring(initialKeyring(A, T0), B, T0, policy).ring;
    expect(parseKeyring(JSON.parse(JSON.stringify(ring)))).toEqual(ring);
    expect(() => parseKeyring({ ...ring, current: A })).toThrow(/current key is missing or retired/);
    expect(() => parseKeyring({ ...ring, current: '../../etc/passwd' })).toThrow(/current/);
    expect(() => parseKeyring({ ...ring, generation: 0 })).toThrow(/generation/);
    expect(() => parseKeyring(null)).toThrow(/invalid/);
  });
});
