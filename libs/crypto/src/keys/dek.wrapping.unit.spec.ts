import { randomBytes } from 'node:crypto';
import { systemRandomBytes } from '../entropy.js';
import { unwrapDek, wrapDek } from './dek.wrapping.js';

const kek = randomBytes(32);
const dek = randomBytes(32);
const binding = { subjectId: 'subject-1', keyId: 'sk_01', keyVersion: 1, kekEpoch: 3 };

describe('wrapping a DEK under a KEK', () => {
  it('given a wrapped DEK, when unwrapped with the same KEK and binding, then the DEK comes back', () => {
    const wrapped = wrapDek(kek, binding, dek, systemRandomBytes);

    expect(Buffer.from(unwrapDek(kek, binding, wrapped)).equals(dek)).toBe(true);
    expect(wrapped.ciphertext).toHaveLength(48);
  });

  it('given a wrapped DEK, when unwrapped, then the DEK owns its 32-byte buffer (a cached key pins no shared pool)', () => {
    const wrapped = wrapDek(kek, binding, dek, systemRandomBytes);

    const unwrapped = unwrapDek(kek, binding, wrapped);

    expect(unwrapped.buffer.byteLength).toBe(32);
  });

  it.each([
    ['another subject', { subjectId: 'subject-2' }],
    ['another key id', { keyId: 'sk_02' }],
    ['another key version', { keyVersion: 2 }],
    ['another KEK epoch', { kekEpoch: 4 }],
  ])('given a wrapped DEK, when unwrapped as if it belonged to %s, then it fails with WRAPPED_KEY_INVALID', (_, change) => {
    const wrapped = wrapDek(kek, binding, dek, systemRandomBytes);

    expect(() => unwrapDek(kek, { ...binding, ...change }, wrapped)).toThrow(expect.objectContaining({ code: 'WRAPPED_KEY_INVALID' }));
  });

  it('given a wrapped DEK, when unwrapped under another KEK, then it fails with WRAPPED_KEY_INVALID', () => {
    const wrapped = wrapDek(kek, binding, dek, systemRandomBytes);

    expect(() => unwrapDek(randomBytes(32), binding, wrapped)).toThrow(expect.objectContaining({ code: 'WRAPPED_KEY_INVALID' }));
  });
});
