import { constants } from 'node:fs';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmod, mkdir, open, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { readPrivateFile, writePrivateFile } from '@crm/crypto';

/**
 * The Ed25519 key that signs tree heads (RFC 8032; deterministic signatures, no nonce to get wrong). Generated at
 * first start into `<state>/audit/` with 0600 permissions and never committed. Its public half is also written
 * beside it and served by `GET /v1/audit/public-key`; a verifier that does not trust the operators should pin the
 * public key it got out of band (e.g. printed in the DPO's records) rather than fetch it from the service.
 */
export class TreeHeadKey {
  private constructor(
    readonly privateKey: KeyObject | undefined,
    readonly publicKey: KeyObject,
  ) {}

  /** The raw 32-byte public key (RFC 8032 §5.1.5). */
  get rawPublicKey(): Uint8Array {
    const jwk = this.publicKey.export({ format: 'jwk' });
    return new Uint8Array(Buffer.from(jwk.x!, 'base64url'));
  }

  /** Hex SHA-256 of the raw public key: what every head names as its `key_id`. */
  get keyId(): string {
    return createHash('sha256').update(this.rawPublicKey).digest('hex');
  }

  get publicKeyPem(): string {
    return this.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  }

  static directory(stateDir: string): string {
    return join(stateDir, 'audit');
  }

  static privateKeyPath(stateDir: string): string {
    return join(TreeHeadKey.directory(stateDir), 'tree-head-signing.key');
  }

  static publicKeyPath(stateDir: string): string {
    return join(TreeHeadKey.directory(stateDir), 'tree-head-signing.pub');
  }

  /** Loads the signing key, creating it at first use; two processes racing agree on one key (link is exclusive). */
  static async loadOrCreate(stateDir: string): Promise<TreeHeadKey> {
    const path = TreeHeadKey.privateKeyPath(stateDir);
    let pem = await readPrivateFile(path);
    if (pem === undefined) {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      const { privateKey } = generateKeyPairSync('ed25519');
      await writePrivateFile(path, privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), { exclusive: true });
      pem = (await readPrivateFile(path))!;
    }
    const privateKey = createPrivateKey(pem);
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${basename(path)} is not an Ed25519 private key`);
    const key = new TreeHeadKey(privateKey, createPublicKey(privateKey));
    await writePublic(TreeHeadKey.publicKeyPath(stateDir), key.publicKeyPem);
    return key;
  }

  /** A signing key held in memory (tests, tools); the service uses `loadOrCreate`. */
  static fromPrivateKey(privateKey: KeyObject): TreeHeadKey {
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 private key');
    return new TreeHeadKey(privateKey, createPublicKey(privateKey));
  }

  /** A verification-only key from a PEM (SPKI), or 64 hex / 43 base64url characters of the raw key. */
  static fromPublic(text: string): TreeHeadKey {
    const trimmed = text.trim();
    let publicKey: KeyObject;
    if (trimmed.startsWith('-----BEGIN')) publicKey = createPublicKey(trimmed);
    else {
      const raw = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64url');
      if (raw.length !== 32) throw new Error('an Ed25519 public key is 32 bytes');
      publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
    }
    if (publicKey.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 public key');
    return new TreeHeadKey(undefined, publicKey);
  }
}

async function writePublic(path: string, pem: string): Promise<void> {
  const existing = await readFile(path, 'utf8').catch(() => undefined);
  if (existing === pem) return;
  const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o644);
  try {
    await handle.writeFile(pem);
  } finally {
    await handle.close();
  }
  await chmod(path, 0o644);
}
