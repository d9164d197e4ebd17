// File-system tests of the key store (no servers needed): modes, concurrent first use, rotation across "processes"
// (separate store instances on one directory, as two identity replicas sharing a state directory would be).
import { chmod, mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint } from 'jose';
import { SigningKeyStore } from './signing-key.store.js';

const T0 = Date.parse('2026-12-01T12:00:00Z');

async function freshDirectory(): Promise<string> {
  return SigningKeyStore.directoryFor(await mkdtemp(join(tmpdir(), 'crm-jwt-keys-')));
}

function storeAt(directory: string, clock: { now: number }): SigningKeyStore {
  return new SigningKeyStore({ directory, accessTokenLifetimeSeconds: 600, now: () => new Date(clock.now) });
}

const privateKeyFiles = async (directory: string) => (await readdir(directory)).filter((name) => name.endsWith('.private.jwk.json'));
const keyringFiles = async (directory: string) => (await readdir(directory)).filter((name) => /^keyring\.\d+\.json$/.test(name));

describe('the signing key store', () => {
  it('given no keys yet, when first used, then one ES256 key is generated in a private directory, named by its RFC 7638 thumbprint', async () => {
    const directory = await freshDirectory();
    const store = storeAt(directory, { now: T0 });

    const key = await store.current();

    expect((await stat(directory)).mode & 0o777).toBe(0o700);
    const [file] = await privateKeyFiles(directory);
    expect(file).toBe(`${key.kid}.private.jwk.json`);
    expect((await stat(join(directory, file!))).mode & 0o777).toBe(0o600);
    const privateJwk = JSON.parse(await readFile(join(directory, file!), 'utf8')) as Record<string, string>;
    expect(privateJwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', kid: key.kid });
    expect(await calculateJwkThumbprint(key.publicJwk, 'sha256')).toBe(key.kid);
    expect((await store.current()).kid).toBe(key.kid);
  });

  it('given the JWKS, then it holds public members only', async () => {
    const store = storeAt(await freshDirectory(), { now: T0 });
    const { keys } = await store.jwks();
    expect(keys).toHaveLength(1);
    expect(Object.keys(keys[0]!).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
  });

  it('given several processes starting at once on an empty directory, then they all agree on one current key', async () => {
    const directory = await freshDirectory();
    const clock = { now: T0 };
    const stores = Array.from({ length: 8 }, () => storeAt(directory, clock));

    const kids = await Promise.all(stores.map(async (store) => (await store.current()).kid));

    expect(new Set(kids).size).toBe(1);
    expect(await privateKeyFiles(directory)).toEqual([`${kids[0]}.private.jwk.json`]);
    expect(await keyringFiles(directory)).toEqual(['keyring.1.json']);
  });

  it('given a rotation, then the new key signs, the old one stays published for one token lifetime plus tolerance, and other processes see it', async () => {
    const directory = await freshDirectory();
    const clock = { now: T0 };
    const store = storeAt(directory, clock);
    const other = storeAt(directory, clock);
    const old = await store.current();
    await other.current();

    const rotated = await store.rotate();

    expect(rotated.kid).not.toBe(old.kid);
    expect((await other.current()).kid).toBe(rotated.kid);
    expect((await other.jwks()).keys.map((key) => key.kid)).toEqual([rotated.kid, old.kid]);
    clock.now = T0 + 604_000;
    expect((await store.jwks()).keys.map((key) => key.kid)).toEqual([rotated.kid, old.kid]);
    clock.now = T0 + 605_000;
    expect((await store.jwks()).keys.map((key) => key.kid)).toEqual([rotated.kid]);
  });

  it('given a retired key past its window, when rotating again, then its private key file is destroyed', async () => {
    const directory = await freshDirectory();
    const clock = { now: T0 };
    const store = storeAt(directory, clock);
    const first = await store.current();
    const second = await store.rotate();
    clock.now = T0 + 3600_000;

    const third = await store.rotate();

    expect((await privateKeyFiles(directory)).sort()).toEqual([`${second.kid}.private.jwk.json`, `${third.kid}.private.jwk.json`].sort());
    expect((await store.jwks()).keys.map((key) => key.kid)).toEqual([third.kid, second.kid]);
    expect((await privateKeyFiles(directory)).some((name) => name.startsWith(first.kid))).toBe(false);
  });

  it('given two processes rotating at the same moment, then only one rotation happens and both see the same current key', async () => {
    const directory = await freshDirectory();
    const clock = { now: T0 };
    const a = storeAt(directory, clock);
    const b = storeAt(directory, clock);
    const original = await a.current();
    await b.current();

    const [fromA, fromB] = await Promise.all([a.rotate(), b.rotate()]);

    expect(fromA.kid).toBe(fromB.kid);
    expect(await keyringFiles(directory)).toEqual(expect.arrayContaining(['keyring.1.json', 'keyring.2.json']));
    expect(await keyringFiles(directory)).toHaveLength(2);
    expect((await privateKeyFiles(directory)).sort()).toEqual([`${original.kid}.private.jwk.json`, `${fromA.kid}.private.jwk.json`].sort());
  });

  it('given a private key file readable by others, then the store refuses to use it', async () => {
    const directory = await freshDirectory();
    const key = await storeAt(directory, { now: T0 }).current();
    await chmod(join(directory, `${key.kid}.private.jwk.json`), 0o644);

    await expect(storeAt(directory, { now: T0 }).current()).rejects.toThrow(/chmod 600/);
  });

  it('given a signing key older than the maximum age, then rotateIfOlderThan replaces it, and leaves a younger one alone', async () => {
    const clock = { now: T0 };
    const store = storeAt(await freshDirectory(), clock);
    const first = await store.current();

    expect(await store.rotateIfOlderThan(3_600)).toBe(false);
    clock.now = T0 + 2 * 3_600_000;
    expect(await store.rotateIfOlderThan(3_600)).toBe(true);

    const second = await store.current();
    expect(second.kid).not.toBe(first.kid);
    expect((await store.jwks()).keys.map((key) => key.kid)).toEqual(expect.arrayContaining([first.kid, second.kid]));
    expect(await store.rotateIfOlderThan(3_600)).toBe(false);
  });
});
