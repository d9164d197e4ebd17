import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';
import { ACCESS_TOKEN_ALGORITHM } from '@crm/auth';
import { initialKeyring, parseKeyring, publishedKids, rotateKeyring, type Keyring } from './keyring.js';
import { destroyPrivateFile, ensurePrivateDirectory, isErrno, readPrivateFile, writePrivateFile } from './private-files.js';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  /** Public members only (`kty`, `crv`, `x`, `y`) plus `kid`, `alg`, `use`. */
  publicJwk: JWK;
}

export interface SigningKeyStoreOptions {
  /** Usually `SigningKeyStore.directoryFor(stateDir)`. */
  directory: string;
  /** How long an access token lives: a retired key stays published that long (plus the clock tolerance). */
  accessTokenLifetimeSeconds: number;
  clockToleranceSeconds?: number;
  /** The time: the service's injected `CLOCK`, or a test's. */
  now: () => Date;
}

const KEYRING_FILE = /^keyring\.([1-9][0-9]{0,11})\.json$/;
/** Older keyring generations are kept for forensics, but not forever. */
const KEYRING_GENERATIONS_KEPT = 10;

/**
 * ES256 signing keys on local disk: generated at first use (never committed), one private JWK file per key (mode
 * 600, directory 700), plus a keyring document saying which key signs and until when retired keys stay published.
 *
 * Every change writes a *new* keyring file, `keyring.<generation>.json`, created with link() — which fails if the
 * name exists. That name is the lock: of two processes starting (or rotating) at once, exactly one creates
 * generation n+1, and the other adopts it, so there is never more than one current key. Readers always take the
 * highest generation, and a file only appears complete (it is written and fsynced before it is linked).
 */
export class SigningKeyStore {
  readonly directory: string;
  readonly #policy: { accessTokenLifetimeSeconds: number; clockToleranceSeconds: number };
  readonly #now: () => Date;
  readonly #keys = new Map<string, SigningKey>();
  #ring: Keyring | undefined;
  #jwks: { signature: string; jwks: JSONWebKeySet } | undefined;

  constructor(options: SigningKeyStoreOptions) {
    this.directory = options.directory;
    this.#policy = { accessTokenLifetimeSeconds: options.accessTokenLifetimeSeconds, clockToleranceSeconds: options.clockToleranceSeconds ?? 5 };
    this.#now = options.now;
  }

  static directoryFor(stateDir: string): string {
    return join(stateDir, 'secrets', 'jwt');
  }

  /** The key that signs new tokens (created at first use). */
  async current(): Promise<SigningKey> {
    const ring = await this.#keyring();
    return this.#key(ring.current);
  }

  /**
   * Makes a new key current; the previous one stays in the JWKS until every token it signed has expired. If another
   * process rotates at the same moment, its rotation is adopted instead of stacking a second one.
   */
  async rotate(): Promise<SigningKey> {
    const ring = await this.#keyring();
    const created = await this.#createKey();
    const { ring: next, dropped } = rotateKeyring(ring, created.kid, this.#nowSeconds(), this.#policy);
    if (!(await this.#publish(next))) {
      await destroyPrivateFile(this.#keyPath(created.kid));
      this.#keys.delete(created.kid);
      return this.current();
    }
    for (const kid of dropped) {
      await destroyPrivateFile(this.#keyPath(kid));
      this.#keys.delete(kid);
    }
    await this.#pruneKeyrings(next.generation);
    return created;
  }

  /**
   * Rotates when the signing key is older than `maxAgeSeconds`, so a key that leaked unnoticed signs for a bounded
   * time. Called at boot and then periodically; concurrent callers in several processes end with one rotation.
   */
  async rotateIfOlderThan(maxAgeSeconds: number): Promise<boolean> {
    const ring = await this.#keyring();
    const created = ring.keys.find((entry) => entry.kid === ring.current)?.createdAt ?? this.#nowSeconds();
    if (this.#nowSeconds() - created < maxAgeSeconds) return false;
    await this.rotate();
    return true;
  }

  /**
   * The public JWKS (RFC 7517 §5): the current key and retired keys still in their window. The same object is
   * returned while the set is unchanged, so verifiers built on it import each key once.
   */
  async jwks(): Promise<JSONWebKeySet> {
    const ring = await this.#keyring();
    const kids = publishedKids(ring, this.#nowSeconds());
    const signature = kids.join(',');
    if (this.#jwks?.signature !== signature) {
      const keys = await Promise.all(kids.map(async (kid) => (await this.#key(kid)).publicJwk));
      this.#jwks = { signature, jwks: { keys } };
    }
    return this.#jwks.jwks;
  }

  /** The latest keyring on disk (another process may have rotated), creating the first one if there is none. */
  async #keyring(): Promise<Keyring> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const generation = await this.#latestGeneration();
      if (generation === undefined) {
        const created = await this.#createKey();
        if (await this.#publish(initialKeyring(created.kid, this.#nowSeconds()))) continue;
        // Another process created the first keyring at the same moment: use its key, forget ours.
        await destroyPrivateFile(this.#keyPath(created.kid));
        this.#keys.delete(created.kid);
        continue;
      }
      if (this.#ring?.generation === generation) return this.#ring;
      const text = await readPrivateFile(this.#keyringPath(generation));
      if (text === undefined) continue; // pruned between readdir and read: look again
      this.#ring = parseKeyring(JSON.parse(text));
      return this.#ring;
    }
    throw new Error('signing keyring kept changing while being read');
  }

  async #publish(ring: Keyring): Promise<boolean> {
    const won = await writePrivateFile(this.#keyringPath(ring.generation), `${JSON.stringify(ring, null, 2)}\n`, { exclusive: true });
    if (won) this.#ring = ring;
    return won;
  }

  async #latestGeneration(): Promise<number | undefined> {
    const generations = await this.#generations();
    return generations.length === 0 ? undefined : Math.max(...generations);
  }

  async #generations(): Promise<number[]> {
    let names: string[];
    try {
      names = await readdir(this.directory);
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return [];
      throw error;
    }
    return names.flatMap((name) => {
      const match = KEYRING_FILE.exec(name);
      return match === null ? [] : [Number(match[1])];
    });
  }

  async #pruneKeyrings(latest: number): Promise<void> {
    for (const generation of await this.#generations()) {
      if (generation <= latest - KEYRING_GENERATIONS_KEPT) await unlink(this.#keyringPath(generation)).catch(() => undefined);
    }
  }

  async #createKey(): Promise<SigningKey> {
    await ensurePrivateDirectory(this.directory);
    const { privateKey } = await generateKeyPair(ACCESS_TOKEN_ALGORITHM, { extractable: true });
    const jwk = await exportJWK(privateKey);
    // RFC 7638: the kid is a hash of the public key, so it names the key itself and can never point at another one.
    const kid = await calculateJwkThumbprint(jwk, 'sha256');
    const privateJwk: JWK = { ...jwk, kid, alg: ACCESS_TOKEN_ALGORITHM, use: 'sig' };
    await writePrivateFile(this.#keyPath(kid), `${JSON.stringify(privateJwk)}\n`, { exclusive: false });
    return this.#remember(kid, privateJwk);
  }

  async #key(kid: string): Promise<SigningKey> {
    const known = this.#keys.get(kid);
    if (known !== undefined) return known;
    const text = await readPrivateFile(this.#keyPath(kid));
    if (text === undefined) throw new Error(`the private key of a published signing key is missing (kid ${kid})`);
    const privateJwk = JSON.parse(text) as JWK;
    if (privateJwk.kid !== kid || (await calculateJwkThumbprint(privateJwk, 'sha256')) !== kid) {
      throw new Error(`signing key file does not hold the key it is named after (kid ${kid})`);
    }
    return this.#remember(kid, privateJwk);
  }

  async #remember(kid: string, privateJwk: JWK): Promise<SigningKey> {
    const { kty, crv, x, y } = privateJwk;
    const key: SigningKey = {
      kid,
      privateKey: (await importJWK(privateJwk, ACCESS_TOKEN_ALGORITHM)) as CryptoKey,
      publicJwk: { kty, crv, x, y, kid, alg: ACCESS_TOKEN_ALGORITHM, use: 'sig' },
    };
    this.#keys.set(kid, key);
    return key;
  }

  #keyPath(kid: string): string {
    return join(this.directory, `${kid}.private.jwk.json`);
  }

  #keyringPath(generation: number): string {
    return join(this.directory, `keyring.${generation}.json`);
  }

  #nowSeconds(): number {
    return Math.floor(this.#now().getTime() / 1000);
  }
}
