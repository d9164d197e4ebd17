import { stat, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { expectEventually, testPlatformConfig, uniqueName } from '@crm/testing';
import { FieldCipher } from '../field-cipher/field.cipher.js';
import { unwrapDek } from './dek.wrapping.js';
import { FileKekProvider } from './file-kek.provider.js';
import { scratchKeyVault, type ScratchKeyVault } from './scratch-key-vault.fixture.js';
import { PostgresKeyStore } from './postgres-key.store.js';
import type { KekProvider } from './kek-provider.port.js';
import type { ShredReason } from './key-store.port.js';
import { keyVaultDatabase, keyVaultMigrations, LOCKS } from './key-vault.schema.js';
import { runMigrations } from '@crm/migrations';
import type { Pool } from '@crm/postgres';
import type { DataKeyRow } from './postgres-key.store.js';

const settings = testPlatformConfig().postgres!;

type WrappedRow = DataKeyRow;

let vault: ScratchKeyVault;
let store: PostgresKeyStore;
let pool: Pool;

beforeAll(async () => {
  vault = await scratchKeyVault(settings);
  ({ store, pool } = await vault.openStore());
});

afterAll(() => vault.dispose());

const subject = () => uniqueName('subject');
/** Whether some session of the vault waits for an advisory lock of this class (two-int form: objsubid 2). */
const waitingOnLock = async (lockClass: number) =>
  (
    await pool.query(
      `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = $1 AND objsubid = 2 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [lockClass],
    )
  ).rows.length > 0;
const rowsOf = async (subjectId: string) =>
  (await pool.query<WrappedRow>('SELECT * FROM data_keys WHERE subject_id = $1 ORDER BY key_version', [subjectId])).rows;

describe('the key vault schema', () => {
  it('given migrations run concurrently and repeatedly, then they apply nothing more, the schema is there once and existing keys and erasures are kept', async () => {
    const kept = await store.dekFor(subject());
    const erased = subject();
    await store.dekFor(erased);
    await store.shred(erased, 'ERASURE_REQUEST');

    const runs = await Promise.all([1, 2, 3].map(() => runMigrations(settings, keyVaultDatabase(vault.database))));

    expect(runs).toEqual([[], [], []]);
    const { rows } = await pool.query<{ name: string }>('SELECT name FROM crm_migrations ORDER BY id');
    expect(rows.map((row) => row.name)).toEqual(keyVaultMigrations.map((migration) => migration.name));
    const tables = await pool.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
    expect(tables.rows.map((row) => row.name)).toEqual(['crm_migrations', 'data_keys', 'erasure_ledger', 'kek_epochs']);
    const triggers = await pool.query<{ name: string }>(
      `SELECT tgname AS name FROM pg_trigger WHERE tgrelid = 'erasure_ledger'::regclass AND NOT tgisinternal ORDER BY 1`,
    );
    expect(triggers.rows.map((row) => row.name)).toEqual(['erasure_ledger_append_only', 'erasure_ledger_no_truncate']);
    const fresh = (await vault.openStore()).store;
    expect(await fresh.dekById(kept.keyId, kept.keyVersion)).toEqual(kept);
    await expect(fresh.dekFor(erased)).rejects.toMatchObject({ code: 'KEY_SHREDDED' });
  });

  it('given the KEK directory, then it is private and each epoch key is a 600 file of 32 random bytes', async () => {
    await store.dekFor(subject());
    const epoch = await vault.kek.currentEpoch();

    expect((await stat(vault.kek.directory)).mode & 0o777).toBe(0o700);
    const file = await stat(vault.kek.pathOf(epoch));
    expect(file.mode & 0o777).toBe(0o600);
    expect(file.size).toBe(32);
  });
});

describe('data keys', () => {
  it('given a batch of subjects, some with keys already, when their keys are asked for at once, then each has exactly one key and existing ones are kept', async () => {
    const known = subject();
    const existing = await store.dekFor(known);
    const fresh = Array.from({ length: 50 }, subject);

    const other = await vault.openStore();
    // Two processes racing over overlapping batches, plus single lookups in between.
    const [first, second, single] = await Promise.all([
      store.dekForMany([known, ...fresh]),
      other.store.dekForMany([...fresh].reverse()),
      store.dekFor(fresh[7]!),
    ]);

    expect(first.get(known)).toEqual(existing);
    for (const s of fresh) {
      expect(second.get(s)).toEqual(first.get(s));
      expect(await rowsOf(s)).toHaveLength(1);
      expect(await store.dekFor(s)).toEqual(first.get(s));
    }
    expect(single).toEqual(first.get(fresh[7]!));
  });

  it('given a batch naming an erased subject, when keys are asked for, then KEY_SHREDDED and no key is created for anyone', async () => {
    const erased = subject();
    await store.dekFor(erased);
    await store.shred(erased, 'ERASURE_REQUEST');
    const others = [subject(), subject()];
    await expect(store.dekForMany([...others, erased])).rejects.toMatchObject({ code: 'KEY_SHREDDED' });
    for (const s of others) expect(await rowsOf(s)).toEqual([]);
  });

  it('given a new subject, when two processes ask for its DEK at the same time, then both get the one and only key', async () => {
    const other = await vault.openStore();
    const subjects = Array.from({ length: 8 }, subject);

    const results = await Promise.all(subjects.flatMap((s) => [store.dekFor(s), other.store.dekFor(s), store.dekFor(s), other.store.dekFor(s)]));

    for (const [index, s] of subjects.entries()) {
      const forSubject = results.slice(index * 4, index * 4 + 4);
      expect(new Set(forSubject.map((key) => `${key.keyId}/${key.keyVersion}/${Buffer.from(key.key).toString('hex')}`)).size).toBe(1);
      expect(forSubject[0]).toMatchObject({ subjectId: s, keyVersion: 1 });
      expect(forSubject[0]!.keyId).toMatch(/^sk_[0-9a-f]{32}$/);
      expect(await rowsOf(s)).toHaveLength(1);
    }
  });

  it('given an existing DEK, when read by id, then it is the same key; an unknown id is KEY_NOT_FOUND', async () => {
    const key = await store.dekFor(subject());

    expect(await store.dekById(key.keyId, key.keyVersion)).toEqual(key);
    await expect(store.dekById(key.keyId, 2)).rejects.toMatchObject({ code: 'KEY_NOT_FOUND', retriable: false });
    await expect(store.dekById('sk_unknown', 1)).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
  });

  it('given a stored DEK, then only its wrapped form is at rest', async () => {
    const key = await store.dekFor(subject());
    const [row] = await rowsOf(key.subjectId);

    expect(row!.wrapped_dek).toHaveLength(48);
    expect(row!.wrapped_dek.includes(Buffer.from(key.key))).toBe(false);
  });
});

describe('shredding', () => {
  it('given sealed fields, when the subject is shredded, then they no longer open, the ledger records it and the wrapped rows are gone', async () => {
    const cipher = new FieldCipher(store);
    const s = subject();
    const sealed = await cipher.seal(s, 'contacts.contact.email', 'marker-3c9e@example.com');
    expect(await cipher.openText(s, 'contacts.contact.email', sealed)).toBe('marker-3c9e@example.com');

    const result = await store.shred(s, 'ERASURE_REQUEST');

    expect(result).toMatchObject({ subjectId: s, keyVersions: [1], reason: 'ERASURE_REQUEST', alreadyShredded: false });
    await expect(cipher.open(s, 'contacts.contact.email', sealed)).rejects.toMatchObject({ code: 'KEY_SHREDDED', kind: 'gone', retriable: false });
    await expect(store.dekById(sealed.keyId, sealed.keyVersion)).rejects.toMatchObject({ code: 'KEY_SHREDDED' });
    expect(await store.isShredded(s)).toBe(true);
    expect(await store.erasureRecord(s)).toEqual({ subjectId: s, keyId: sealed.keyId, erasedAt: result.erasedAt, reason: 'ERASURE_REQUEST', keyVersions: [1] });
    expect(await rowsOf(s)).toEqual([]);
  });

  it('given a shredded subject, when shredded again, then nothing changes and the original record is returned', async () => {
    const s = subject();
    await store.dekFor(s);
    const first = await store.shred(s, 'ERASURE_REQUEST');

    const second = await store.shred(s, 'RETENTION_EXPIRED');

    expect(second).toEqual({ ...first, alreadyShredded: true });
  });

  it('given a shredded subject, when a DEK is asked for again, then none is created (KEY_SHREDDED)', async () => {
    const s = subject();
    await store.dekFor(s);
    await store.shred(s, 'ERASURE_REQUEST');

    await expect(store.dekFor(s)).rejects.toMatchObject({ code: 'KEY_SHREDDED' });
    expect(await rowsOf(s)).toEqual([]);
  });

  it('given a subject that never had a key, when shredded, then the erasure is still recorded (with no versions)', async () => {
    const s = subject();

    expect(await store.shred(s, 'ERASURE_REQUEST')).toMatchObject({ keyVersions: [], alreadyShredded: false });
    expect(await store.isShredded(s)).toBe(true);
  });

  it('given a reason that is prose rather than a code, then the shred is refused before anything is written', async () => {
    const s = subject();

    await expect(store.shred(s, 'Jane Doe asked us by phone' as ShredReason)).rejects.toMatchObject({ code: 'ERASURE_REASON_INVALID' });
    expect(await store.isShredded(s)).toBe(false);
  });

  it('given creating and shredding race for a new subject, then the subject ends shredded with no live key', async () => {
    const other = await vault.openStore();
    const subjects = Array.from({ length: 6 }, subject);

    await Promise.allSettled(subjects.flatMap((s) => [store.dekFor(s), other.store.shred(s, 'ERASURE_REQUEST'), other.store.dekFor(s)]));

    for (const s of subjects) {
      expect(await store.isShredded(s)).toBe(true);
      expect(await rowsOf(s)).toEqual([]);
    }
  });

  it('given the erasure ledger, then the database itself refuses UPDATE, DELETE and TRUNCATE', async () => {
    const s = subject();
    await store.shred(s, 'ERASURE_REQUEST');

    await expect(pool.query(`UPDATE erasure_ledger SET reason = 'OTHER' WHERE subject_id = $1`, [s])).rejects.toMatchObject({
      code: '23001',
      message: expect.stringContaining('append-only'),
    });
    await expect(pool.query('DELETE FROM erasure_ledger WHERE subject_id = $1', [s])).rejects.toMatchObject({ code: '23001' });
    await expect(pool.query('TRUNCATE erasure_ledger')).rejects.toMatchObject({ code: '23001' });
    expect(await store.isShredded(s)).toBe(true);
  });

  it('lists erasures in order, resumable from the last one seen', async () => {
    const all = await store.erasures({ limit: 10_000 });
    expect(all.length).toBeGreaterThan(2);

    const rest = await store.erasures({ after: all[1]!, limit: 10_000 });

    expect(rest).toEqual(all.slice(2));
  });
});

describe('KEK rotation', () => {
  it('given live DEKs, when the KEK is rotated, then they are re-wrapped, the old KEK file is destroyed, old ciphertexts still open and a stale copy of a wrapped DEK is useless', async () => {
    const batched = await vault.openStore({ rewrapBatchSize: 3 });
    const cipher = new FieldCipher(batched.store);
    const subjects = Array.from({ length: 7 }, subject);
    const sealed = await Promise.all(subjects.map((s) => cipher.seal(s, 'contacts.contact.name', `marker-${s}`)));
    const [stale] = await rowsOf(subjects[0]!);
    const oldEpoch = stale!.kek_epoch;
    const oldKek = await vault.kek.kek(oldEpoch);
    const live = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM data_keys')).rows[0]!.n);

    const rotation = await batched.store.rotateKek();

    expect(rotation).toEqual({ epoch: oldEpoch + 1, retiredEpochs: [oldEpoch], rewrapped: live, rotatedAt: expect.any(Date) });
    await expect(stat(join(FileKekProvider.directoryFor(vault.stateDir), `${oldEpoch}.key`))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(vault.kek.kek(oldEpoch)).rejects.toMatchObject({ code: 'KEK_UNAVAILABLE' });
    const epochs = (await pool.query<{ kek_epoch: number }>('SELECT DISTINCT kek_epoch FROM data_keys')).rows.map((row) => row.kek_epoch);
    expect(epochs).toEqual([rotation.epoch]);

    // A fresh process (no cache) opens every old ciphertext through the re-wrapped DEKs.
    const freshStore = (await vault.openStore()).store;
    const fresh = new FieldCipher(freshStore);
    for (const [index, s] of subjects.entries()) {
      expect(await fresh.openText(s, 'contacts.contact.name', sealed[index]!)).toBe(`marker-${s}`);
    }

    // The copy taken before rotation, as an attacker might find it in a dead tuple or WAL: its KEK is gone, and it
    // does not unwrap under the new KEK either.
    const staleBox = { nonce: stale!.wrap_nonce, ciphertext: stale!.wrapped_dek };
    const staleBinding = { subjectId: stale!.subject_id, keyId: stale!.key_id, keyVersion: stale!.key_version, kekEpoch: oldEpoch };
    // Sanity: it was a real wrapped DEK, the very key the fresh process opened the ciphertext with.
    expect(unwrapDek(oldKek, staleBinding, staleBox)).toEqual((await freshStore.dekById(stale!.key_id, stale!.key_version)).key);
    expect(() => unwrapDek(oldKek, { ...staleBinding, kekEpoch: rotation.epoch }, staleBox)).toThrow(expect.objectContaining({ code: 'WRAPPED_KEY_INVALID' }));
    const newKek = await vault.kek.kek(rotation.epoch);
    expect(() => unwrapDek(newKek, staleBinding, staleBox)).toThrow(expect.objectContaining({ code: 'WRAPPED_KEY_INVALID' }));
    expect(() => unwrapDek(newKek, { ...staleBinding, kekEpoch: rotation.epoch }, staleBox)).toThrow(expect.objectContaining({ code: 'WRAPPED_KEY_INVALID' }));
  });

  it('given DEKs being created while the KEK rotates, then every DEK stays readable and only the new epoch remains', async () => {
    const other = await vault.openStore({ rewrapBatchSize: 2 });
    const subjects = Array.from({ length: 30 }, subject);
    await Promise.all(subjects.slice(0, 10).map((s) => store.dekFor(s)));

    const [rotation, ...created] = await Promise.all([other.store.rotateKek(), ...subjects.map((s) => store.dekFor(s))]);

    const current = await vault.kek.currentEpoch();
    expect(rotation.epoch).toBe(current);
    const fresh = (await vault.openStore()).store;
    for (const key of created) expect(await fresh.dekById(key.keyId, key.keyVersion)).toEqual(key);
    const epochs = (await pool.query<{ kek_epoch: number }>('SELECT DISTINCT kek_epoch FROM data_keys')).rows.map((row) => row.kek_epoch);
    expect(epochs).toEqual([current]);
  });

  it('given a DEK creation paused between reading the current epoch and storing its key, then the rotation does not lose it: the key is wrapped under the new epoch and stays readable', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let pausedAtKek = false;
    const paused: KekProvider = {
      currentEpoch: () => vault.kek.currentEpoch(),
      kek: async (epoch) => {
        pausedAtKek = true;
        await gate;
        return vault.kek.kek(epoch);
      },
      createNext: () => vault.kek.createNext(),
      destroy: (epoch) => vault.kek.destroy(epoch),
    };
    const creator = await vault.openStore();
    const creatorStore = new PostgresKeyStore({ pool: creator.pool, kek: paused });
    const rotator = (await vault.openStore()).store;
    const before = await vault.kek.currentEpoch();
    const s = subject();

    const creating = creatorStore.dekFor(s);
    await expectEventually(() => expect(pausedAtKek).toBe(true));
    const rotating = rotator.rotateKek();
    let rotated = false;
    void rotating.then(
      () => (rotated = true),
      () => (rotated = true),
    );
    await expectEventually(async () => expect(rotated || (await waitingOnLock(LOCKS.rotation))).toBe(true));
    release();
    const [key, rotation] = await Promise.all([creating, rotating]);

    expect(rotation.epoch).toBeGreaterThan(before);
    expect(await (await vault.openStore()).store.dekById(key.keyId, key.keyVersion)).toEqual(key);
    expect((await rowsOf(s))[0]!.kek_epoch).toBe(rotation.epoch);
    for (let epoch = 1; epoch < rotation.epoch; epoch += 1) {
      await expect(vault.kek.kek(epoch)).rejects.toMatchObject({ code: 'KEK_UNAVAILABLE' });
    }
  });

  it('given a rotation under way, when another process starts one, then it is refused as retriable and only the first creates an epoch', async () => {
    // The first rotation is held inside its KEK provider, after it took the run lock, so the two certainly overlap:
    // started side by side they might also run one after the other, and then both would rightly succeed.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let pausedAtCreate = false;
    const paused: KekProvider = {
      currentEpoch: () => vault.kek.currentEpoch(),
      kek: (epoch) => vault.kek.kek(epoch),
      createNext: async () => {
        pausedAtCreate = true;
        await gate;
        return vault.kek.createNext();
      },
      destroy: (epoch) => vault.kek.destroy(epoch),
    };
    const first = new PostgresKeyStore({ pool: (await vault.openStore()).pool, kek: paused });
    const second = (await vault.openStore()).store;
    const highestEpoch = async () => (await pool.query<{ epoch: number }>('SELECT max(epoch) AS epoch FROM kek_epochs')).rows[0]!.epoch;
    const before = await highestEpoch();

    const running = first.rotateKek();
    try {
      await expectEventually(() => expect(pausedAtCreate).toBe(true));

      await expect(second.rotateKek()).rejects.toMatchObject({ code: 'KEK_ROTATION_IN_PROGRESS', retriable: true });
    } finally {
      release(); // also when the expectation fails, so the first rotation ends and the vault can be dropped
    }
    const rotation = await running;

    expect(rotation.epoch).toBe(before + 1);
    expect(await highestEpoch()).toBe(before + 1);
    // The refused one left nothing held: once the first is done, the next rotation runs.
    await expect(second.rotateKek()).resolves.toMatchObject({ epoch: before + 2 });
  });
});

describe('the file KEK provider', () => {
  it('refuses a key file that group or others can read', async () => {
    const provider = new FileKekProvider({ stateDir: vault.stateDir });
    const epoch = await provider.createNext();
    const path = provider.pathOf(epoch);
    await chmod(path, 0o644);

    await expect(provider.kek(epoch)).rejects.toMatchObject({ code: 'SECRET_FILE_INSECURE' });

    await chmod(path, 0o600);
    await writeFile(path, Buffer.alloc(31));
    await expect(provider.kek(epoch)).rejects.toMatchObject({ code: 'SECRET_FILE_INVALID' });
    await provider.destroy(epoch);
  });
});
