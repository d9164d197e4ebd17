import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { RandomBytes } from '../entropy.js';

export const AES_256_KEY_BYTES = 32;
/** 96-bit nonces: the only length GCM uses without an extra GHASH step (NIST SP 800-38D §5.2.1.1, §8.2). */
export const GCM_NONCE_BYTES = 12;
/** Full 128-bit tags: SP 800-38D Appendix C shows forgery bounds degrade quickly with shorter tags. */
export const GCM_TAG_BYTES = 16;

export interface AeadBox {
  nonce: Uint8Array;
  /** Ciphertext followed by the 16-byte tag. */
  ciphertext: Uint8Array;
}

/**
 * AES-256-GCM with a fresh random nonce per call. Random nonces are safe up to 2^32 encryptions per key
 * (SP 800-38D §8.3); keys here are per subject (DEKs) or per epoch (KEKs), so that bound is never approached.
 */
export function aeadSeal(key: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, randomBytes: RandomBytes): AeadBox {
  const nonce = randomBytes(GCM_NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: GCM_TAG_BYTES });
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { nonce: Uint8Array.from(nonce), ciphertext: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) };
}

/**
 * Returns undefined on any authentication failure; the caller chooses the error code. `authTagLength` is pinned:
 * without it Node accepts a truncated tag passed to setAuthTag, which would let a forger brute-force a 4-byte tag.
 */
export function aeadOpen(key: Uint8Array, aad: Uint8Array, box: AeadBox): Uint8Array | undefined {
  if (box.nonce.length !== GCM_NONCE_BYTES || box.ciphertext.length < GCM_TAG_BYTES) return undefined;
  const split = box.ciphertext.length - GCM_TAG_BYTES;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, box.nonce, { authTagLength: GCM_TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(box.ciphertext.subarray(split));
    const plain = Buffer.concat([decipher.update(box.ciphertext.subarray(0, split)), decipher.final()]);
    return new Uint8Array(plain.buffer, plain.byteOffset, plain.byteLength);
  } catch {
    return undefined;
  }
}
