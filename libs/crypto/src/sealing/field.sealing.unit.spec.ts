import { randomBytes } from 'node:crypto';
import { isCryptoError } from '../crypto.errors.js';
import { openField, sealField } from './field.sealing.js';
import type { FieldBinding, SealedField } from './sealed-field.model.js';

const dek = randomBytes(32);
const binding: FieldBinding = { subjectId: 'subject-1', fieldPath: 'contacts.contact.email', keyId: 'sk_0123', keyVersion: 1 };
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** What `action` threw; fails the test if it returned instead, so a check on the error can never pass vacuously. */
function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw, but it returned');
}

function expectCode(action: () => unknown, code: string): void {
  const thrown = thrownBy(action);
  expect(thrown).toMatchObject({ code });
  expect(isCryptoError(thrown)).toBe(true);
}

describe('sealing a field', () => {
  it('given a DEK and a binding, when a field is sealed and opened with the same binding, then the plaintext comes back', () => {
    const sealed = sealField(dek, binding, 'zoë@example.com');

    expect(text(openField(dek, binding, sealed))).toBe('zoë@example.com');
    expect(sealed).toMatchObject({ algorithm: 'AES_256_GCM', keyId: 'sk_0123', keyVersion: 1 });
    expect(sealed.nonce).toHaveLength(12);
    expect(sealed.ciphertext).toHaveLength(Buffer.byteLength('zoë@example.com') + 16);
  });

  it('given bytes, when sealed and opened, then the same bytes come back (also for an empty value)', () => {
    for (const plaintext of [new Uint8Array([0, 1, 2, 255]), new Uint8Array(0)]) {
      expect(openField(dek, binding, sealField(dek, binding, plaintext))).toEqual(plaintext);
    }
  });

  it('given the same plaintext sealed twice, then the nonces and ciphertexts differ', () => {
    const first = sealField(dek, binding, 'same');
    const second = sealField(dek, binding, 'same');

    expect(Buffer.from(first.nonce).equals(Buffer.from(second.nonce))).toBe(false);
    expect(Buffer.from(first.ciphertext).equals(Buffer.from(second.ciphertext))).toBe(false);
  });

  it('given a sealed field, when any single byte of nonce or ciphertext (tag included) is flipped, then opening fails with SEALED_FIELD_INVALID', () => {
    const sealed = sealField(dek, binding, 'marker-8d1f');
    for (const part of ['nonce', 'ciphertext'] as const) {
      for (let index = 0; index < sealed[part].length; index += 1) {
        const tampered: SealedField = { ...sealed, [part]: Uint8Array.from(sealed[part]) };
        tampered[part][index]! ^= 0x01;
        expectCode(() => openField(dek, binding, tampered), 'SEALED_FIELD_INVALID');
      }
    }
  });

  it('given a truncated ciphertext or a short tag, then opening fails with SEALED_FIELD_INVALID', () => {
    const sealed = sealField(dek, binding, 'marker');

    expectCode(() => openField(dek, binding, { ...sealed, ciphertext: sealed.ciphertext.subarray(0, sealed.ciphertext.length - 12) }), 'SEALED_FIELD_INVALID');
    expectCode(() => openField(dek, binding, { ...sealed, ciphertext: sealed.ciphertext.subarray(0, 4) }), 'SEALED_FIELD_INVALID');
    expectCode(() => openField(dek, binding, { ...sealed, nonce: sealed.nonce.subarray(0, 8) }), 'SEALED_FIELD_INVALID');
  });

  it.each([
    ['another subject', { subjectId: 'subject-2' }],
    ['another field', { fieldPath: 'contacts.contact.phone' }],
    ['another key version', { keyVersion: 2 }],
    ['another key id', { keyId: 'sk_4567' }],
  ])('given a sealed field, when opened for %s, then it fails with SEALED_FIELD_INVALID', (_, change) => {
    const sealed = sealField(dek, binding, 'marker');

    expectCode(() => openField(dek, { ...binding, ...change }, sealed), 'SEALED_FIELD_INVALID');
  });

  it('given a sealed field whose stored key version was edited to match a forged binding, then the AAD still rejects it', () => {
    const sealed = sealField(dek, binding, 'marker');

    expectCode(() => openField(dek, { ...binding, keyVersion: 2 }, { ...sealed, keyVersion: 2 }), 'SEALED_FIELD_INVALID');
  });

  it('given another DEK, when opening, then it fails with SEALED_FIELD_INVALID', () => {
    expectCode(() => openField(randomBytes(32), binding, sealField(dek, binding, 'marker')), 'SEALED_FIELD_INVALID');
  });

  it('given an algorithm outside the allow-list, then opening fails with SEAL_ALGORITHM_UNSUPPORTED', () => {
    const sealed = sealField(dek, binding, 'marker');

    expectCode(() => openField(dek, binding, { ...sealed, algorithm: 'AES_128_CBC' as SealedField['algorithm'] }), 'SEAL_ALGORITHM_UNSUPPORTED');
  });

  it('given a malformed binding, DEK or plaintext, then sealing is refused with a stable code', () => {
    expectCode(() => sealField(dek, { ...binding, subjectId: '' }, 'x'), 'SEAL_BINDING_INVALID');
    expectCode(() => sealField(dek, { ...binding, keyVersion: 0 }, 'x'), 'SEAL_BINDING_INVALID');
    expectCode(() => sealField(dek, { ...binding, fieldPath: 'a\uD800' }, 'x'), 'SEAL_BINDING_INVALID');
    expectCode(() => sealField(randomBytes(16), binding, 'x'), 'DEK_INVALID');
    expectCode(() => sealField(dek, binding, 'lone \uDC00 surrogate'), 'SEAL_PLAINTEXT_INVALID');
  });

  it('given any failure, then the error message carries neither plaintext nor key material', () => {
    const sealed = sealField(dek, binding, 'marker-secret-7f3a');

    const failure = thrownBy(() => openField(dek, { ...binding, subjectId: 'subject-2' }, sealed));

    expect(failure).toMatchObject({ code: 'SEALED_FIELD_INVALID' });
    const message = (failure as Error).message;
    expect(message).not.toContain('marker-secret-7f3a');
    expect(message).not.toContain(dek.toString('hex'));
    expect(message).not.toContain(dek.toString('base64'));
  });
});
