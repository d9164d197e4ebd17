import { withClient, withTransaction, type Pool, type PoolClient } from '@crm/postgres';
import { AES_256_KEY_BYTES } from '../aead/aes-256-gcm.js';
import { cryptoError, isCryptoError } from '../crypto.errors.js';
import { systemClock, systemRandomBytes, type Clock, type RandomBytes } from '../entropy.js';
import { unwrapDek, wrapDek } from './dek.wrapping.js';
import type { KekProvider } from './kek-provider.port.js';
import { isShredReason, SHRED_REASONS, type DataKey, type KekRotation, type KeyStore, type ShredReason, type ShredResult } from './key-store.port.js';
import { EPOCH_MOVED_SQLSTATE, LOCKS, SHREDDED_SQLSTATE } from './key-vault.schema.js';

export interface PostgresKeyStoreOptions {
  /** A pool on the key vault database (see `createKeyVaultPool`). */
  pool: Pool;
  kek: KekProvider;
  clock?: Clock;
  randomBytes?: RandomBytes;
  /** DEKs re-wrapped per transaction during `rotateKek`; bounds lock time and WAL per commit. */
  rewrapBatchSize?: number;
  /**
   * Told about every completed rotation, after the old KEKs are destroyed (`KekRotationAnnouncer`), so the KEK
   * caches of other processes forget them. If it fails, `rotateKek` rejects although the rotation itself is done;
   * other processes then stop trusting the destroyed KEKs within their cache's TTL, and the next rotation announces.
   */
  rotationAnnouncer?: { announce(rotation: KekRotation): Promise<void> };
}

/** An erasure as recorded in the ledger. */
export interface ErasureRecord {
  subjectId: string;
  keyId: string | undefined;
  erasedAt: Date;
  reason: ShredReason;
  keyVersions: number[];
}

export interface KekEpoch {
  epoch: number;
  createdAt: Date;
  /** Set once no DEK is wrapped under the epoch; its KEK is then destroyed. */
  retiredAt?: Date;
}

export interface DataKeyRow {
  subject_id: string;
  key_id: string;
  key_version: number;
  kek_epoch: number;
  wrapped_dek: Buffer;
  wrap_nonce: Buffer;
}

interface LedgerRow {
  subject_id: string;
  key_id: string | null;
  erased_at: Date;
  reason: ShredReason;
  key_versions: number[];
}

const DATA_KEY_COLUMNS = 'subject_id, key_id, key_version, kek_epoch, wrapped_dek, wrap_nonce';

/**
 * The default key store: wrapped DEKs in the key vault database, KEKs from a `KekProvider`.
 *
 * Key ids are random (`sk_` + 128 random bits, hex), one per subject and stable across key versions. A key id
 * travels with every ciphertext into Kafka, backups and analyst tools; being random, it is no function of the
 * subject id, so nobody can confirm a guessed subject from it, and no extra long-lived secret (as a keyed-hash
 * derivation would need) has to be kept. The price is one indexed lookup by subject id, which the vault does anyway.
 */
export class PostgresKeyStore implements KeyStore {
  readonly #pool: Pool;
  readonly #kek: KekProvider;
  readonly #clock: Clock;
  readonly #randomBytes: RandomBytes;
  readonly #batchSize: number;
  readonly #announcer: PostgresKeyStoreOptions['rotationAnnouncer'];
  /** The KEK epoch new DEKs were last wrapped under; `create_data_keys` says when it is no longer current. */
  #epoch: number | undefined;

  constructor(options: PostgresKeyStoreOptions) {
    this.#pool = options.pool;
    this.#kek = options.kek;
    this.#clock = options.clock ?? systemClock;
    this.#randomBytes = options.randomBytes ?? systemRandomBytes;
    this.#batchSize = options.rewrapBatchSize ?? 500;
    this.#announcer = options.rotationAnnouncer;
  }

  async dekFor(subjectId: string): Promise<DataKey> {
    assertSubjectId(subjectId);
    const existing = await this.#readCurrent(subjectId);
    if (existing !== undefined) return existing;
    const [created] = await this.#createKeys([subjectId]);
    if (created === undefined) throw cryptoError('KEY_NOT_FOUND', 'the new data key could not be read back');
    return created;
  }

  /**
   * The current DEKs of many subjects, creating the missing ones in one transaction (a bulk import's batch): one
   * commit instead of one per subject. Same guarantees as `dekFor`: one key per subject however many callers race,
   * and never a key for an erased subject (the batch fails with KEY_SHREDDED if it names one).
   */
  async dekForMany(subjectIds: readonly string[]): Promise<Map<string, DataKey>> {
    const ids = [...new Set(subjectIds)];
    ids.forEach(assertSubjectId);
    const keys = new Map<string, DataKey>();
    for (const key of await this.#unwrapAll(await this.#currentRows(this.#pool, ids))) keys.set(key.subjectId, key);
    const missing = ids.filter((id) => !keys.has(id)).sort();
    if (missing.length === 0) return keys;
    const created = await this.#createKeys(missing);
    for (const key of created) keys.set(key.subjectId, key);
    return keys;
  }

  /** Each subject's current (highest-version) wrapped DEK row. */
  async #currentRows(db: Pool | PoolClient, subjectIds: readonly string[]): Promise<DataKeyRow[]> {
    const { rows } = await db.query<DataKeyRow>(
      `SELECT DISTINCT ON (subject_id) ${DATA_KEY_COLUMNS} FROM data_keys WHERE subject_id = ANY($1) ORDER BY subject_id, key_version DESC`,
      [subjectIds],
    );
    return rows;
  }

  #unwrapAll(rows: readonly DataKeyRow[]): Promise<DataKey[]> {
    return Promise.all(rows.map((row) => this.#unwrap(row)));
  }

  async dekById(keyId: string, keyVersion: number): Promise<DataKey> {
    const key = await this.#readAndUnwrap(async () => {
      const { rows } = await this.#pool.query<DataKeyRow>(`SELECT ${DATA_KEY_COLUMNS} FROM data_keys WHERE key_id = $1 AND key_version = $2`, [
        keyId,
        keyVersion,
      ]);
      return rows[0];
    });
    if (key !== undefined) return key;
    const { rows } = await this.#pool.query('SELECT 1 FROM erasure_ledger WHERE key_id = $1', [keyId]);
    if (rows.length > 0) throw cryptoError('KEY_SHREDDED', `key ${keyId} was shredded`);
    throw cryptoError('KEY_NOT_FOUND', `key ${keyId} v${keyVersion} does not exist`);
  }

  async shred(subjectId: string, reason: ShredReason): Promise<ShredResult> {
    assertSubjectId(subjectId);
    if (!isShredReason(reason)) throw cryptoError('ERASURE_REASON_INVALID', `erasure reason must be one of ${SHRED_REASONS.join(', ')}`);
    return this.#transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCKS.subject, subjectId]);
      const recorded = await client.query<LedgerRow>('SELECT * FROM erasure_ledger WHERE subject_id = $1', [subjectId]);
      if (recorded.rows[0] !== undefined) return { ...toShredResult(recorded.rows[0]), alreadyShredded: true };
      // The DELETE leaves the wrapped DEKs in dead tuples and WAL until vacuum and checkpoints recycle them; they
      // stay unusable because their KEK epoch is destroyed at the next rotation (see rotateKek).
      const deleted = await client.query<{ key_id: string; key_version: number }>('DELETE FROM data_keys WHERE subject_id = $1 RETURNING key_id, key_version', [
        subjectId,
      ]);
      const keyVersions = deleted.rows.map((row) => row.key_version).sort((a, b) => a - b);
      const inserted = await client.query<LedgerRow>(
        `INSERT INTO erasure_ledger (subject_id, key_id, erased_at, reason, key_versions) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
        [subjectId, deleted.rows[0]?.key_id ?? null, this.#clock(), reason, keyVersions],
      );
      return { ...toShredResult(inserted.rows[0]!), alreadyShredded: false };
    });
  }

  async isShredded(subjectId: string): Promise<boolean> {
    const { rows } = await this.#pool.query('SELECT 1 FROM erasure_ledger WHERE subject_id = $1', [subjectId]);
    return rows.length > 0;
  }

  async erasureRecord(subjectId: string): Promise<ErasureRecord | undefined> {
    const { rows } = await this.#pool.query<LedgerRow>('SELECT * FROM erasure_ledger WHERE subject_id = $1', [subjectId]);
    return rows[0] === undefined ? undefined : toErasureRecord(rows[0]);
  }

  /**
   * The ledger in erasure order, for re-applying erasures after a service database is restored from backup.
   * Pages by (erased_at, subject_id) so a caller can resume from the last record it applied.
   */
  async erasures(options: { after?: { erasedAt: Date; subjectId: string }; limit?: number } = {}): Promise<ErasureRecord[]> {
    const { rows } = await this.#pool.query<LedgerRow>(
      `SELECT * FROM erasure_ledger
        WHERE $1::timestamptz IS NULL OR (erased_at, subject_id) > ($1::timestamptz, $2::text)
        ORDER BY erased_at, subject_id LIMIT $3`,
      [options.after?.erasedAt ?? null, options.after?.subjectId ?? '', options.limit ?? 1000],
    );
    return rows.map(toErasureRecord);
  }

  /** The vault's KEK epochs, oldest first: when each was created and, once nothing is wrapped under it, retired. */
  async epochs(): Promise<KekEpoch[]> {
    const { rows } = await this.#pool.query<{ epoch: number; created_at: Date; retired_at: Date | null }>(
      'SELECT epoch, created_at, retired_at FROM kek_epochs ORDER BY epoch',
    );
    return rows.map((row) => ({ epoch: row.epoch, createdAt: row.created_at, retiredAt: row.retired_at ?? undefined }));
  }

  /**
   * Moves every live DEK to a fresh KEK epoch, then destroys the old KEKs.
   *
   * Why epochs: a DELETE or UPDATE in Postgres does not erase the old row version. Dead tuples stay in the heap
   * until vacuum, and the WAL (and any base backup or replica taken meanwhile) keeps a copy for longer. So after a
   * shred — or after this very re-wrap — stale wrapped DEKs linger on disk. They are wrapped under the old epoch's
   * KEK, and that KEK is destroyed here once nothing live needs it; every stale copy is useless from then on. An
   * erasure is therefore complete, against an attacker holding old disk pages, within one rotation period.
   *
   * Steps: create the next epoch's KEK and record it (new DEKs are wrapped under it from then on); re-wrap in
   * batches, each its own transaction; then, holding the rotation lock exclusively (DEK creation holds it shared),
   * re-wrap any stragglers and retire the old epochs in one transaction; only after that commits, destroy the old
   * KEKs. A crash at any point leaves every DEK readable, and the next rotation finishes the job.
   *
   * KEK caches: the new epoch is created and the old ones destroyed through the `KekProvider`, so a
   * `CachingKekProvider` in this process has forgotten the destroyed epochs when this returns; other processes are
   * told through `rotationAnnouncer` (after the destruction, so none re-reads a file about to go).
   */
  async rotateKek(): Promise<KekRotation> {
    return withClient(this.#pool, async (runLock) => {
      const { rows } = await runLock.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, 0) AS locked', [LOCKS.rotationRun]);
      if (rows[0]?.locked !== true) throw cryptoError('KEK_ROTATION_IN_PROGRESS', 'another process is rotating the KEK');
      try {
        return await this.#rotate();
      } finally {
        this.#epoch = undefined;
        await runLock.query('SELECT pg_advisory_unlock($1, 0)', [LOCKS.rotationRun]).catch(() => undefined);
      }
    });
  }

  async #rotate(): Promise<KekRotation> {
    const highest = (await this.#pool.query<{ highest: number | null }>('SELECT max(epoch) AS highest FROM kek_epochs')).rows[0]?.highest ?? 0;
    const next = await this.#kek.createNext();
    if (next <= highest) throw cryptoError('KEK_EPOCH_CONFLICT', `the KEK provider created epoch ${next}, but the vault already knows epoch ${highest}`);
    // ON CONFLICT: on an empty vault, a concurrent first DEK creation may already have recorded this same epoch.
    await this.#pool.query('INSERT INTO kek_epochs (epoch, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING', [next, this.#clock()]);
    const kekCache = new Map<number, Uint8Array>();
    let rewrapped = 0;
    for (;;) {
      const count = await this.#transaction((client) => this.#rewrapBatch(client, next, kekCache));
      rewrapped += count;
      if (count < this.#batchSize) break;
    }
    const retired = await this.#transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, 0)', [LOCKS.rotation]);
      for (;;) {
        const count = await this.#rewrapBatch(client, next, kekCache);
        rewrapped += count;
        if (count < this.#batchSize) break;
      }
      const { rows } = await client.query<{ epoch: number }>('UPDATE kek_epochs SET retired_at = $2 WHERE epoch < $1 AND retired_at IS NULL RETURNING epoch', [
        next,
        this.#clock(),
      ]);
      return rows.map((row) => row.epoch).sort((a, b) => a - b);
    });
    // Every epoch below `next` is destroyed, including ones retired by an earlier rotation that crashed before
    // destroying them and ones a crashed rotation created but never recorded. Read after the retiring commit: the
    // very first epoch may have been recorded by a DEK creation that ran concurrently with this rotation.
    const lowest = (await this.#pool.query<{ lowest: number }>('SELECT min(epoch) AS lowest FROM kek_epochs')).rows[0]!.lowest;
    for (let epoch = lowest; epoch < next; epoch += 1) await this.#kek.destroy(epoch);
    for (const kek of kekCache.values()) kek.fill(0);
    const rotation = { epoch: next, retiredEpochs: retired, rewrapped, rotatedAt: this.#clock() };
    await this.#announcer?.announce(rotation);
    return rotation;
  }

  async #rewrapBatch(client: PoolClient, epoch: number, kekCache: Map<number, Uint8Array>): Promise<number> {
    const { rows } = await client.query<DataKeyRow>(
      `SELECT ${DATA_KEY_COLUMNS} FROM data_keys WHERE kek_epoch < $1 ORDER BY key_id, key_version LIMIT $2 FOR UPDATE`,
      [epoch, this.#batchSize],
    );
    if (rows.length === 0) return 0;
    const kekOf = async (e: number) => {
      let kek = kekCache.get(e);
      if (kek === undefined) {
        kek = await this.#kek.kek(e);
        kekCache.set(e, kek);
      }
      return kek;
    };
    const newKek = await kekOf(epoch);
    const wrapped: { nonce: Uint8Array; ciphertext: Uint8Array }[] = [];
    for (const row of rows) {
      const dek = unwrapDek(await kekOf(row.kek_epoch), bindingOf(row), { nonce: row.wrap_nonce, ciphertext: row.wrapped_dek });
      wrapped.push(wrapDek(newKek, { ...bindingOf(row), kekEpoch: epoch }, dek, this.#randomBytes));
      dek.fill(0);
    }
    await client.query(
      `UPDATE data_keys d SET kek_epoch = $1, wrapped_dek = u.wrapped_dek, wrap_nonce = u.wrap_nonce
         FROM unnest($2::text[], $3::int[], $4::bytea[], $5::bytea[]) AS u(key_id, key_version, wrapped_dek, wrap_nonce)
        WHERE d.key_id = u.key_id AND d.key_version = u.key_version`,
      [
        epoch,
        rows.map((row) => row.key_id),
        rows.map((row) => row.key_version),
        wrapped.map((box) => Buffer.from(box.ciphertext)),
        wrapped.map((box) => Buffer.from(box.nonce)),
      ],
    );
    return rows.length;
  }

  async #readCurrent(subjectId: string): Promise<DataKey | undefined> {
    return this.#readAndUnwrap(async () => {
      const { rows } = await this.#pool.query<DataKeyRow>(`SELECT ${DATA_KEY_COLUMNS} FROM data_keys WHERE subject_id = $1 ORDER BY key_version DESC LIMIT 1`, [
        subjectId,
      ]);
      return rows[0];
    });
  }

  /**
   * A row read just before a rotation retires its epoch names a KEK that may be destroyed by the time it is
   * unwrapped; the re-read finds the row under the new epoch.
   */
  async #readAndUnwrap(read: () => Promise<DataKeyRow | undefined>): Promise<DataKey | undefined> {
    for (let attempt = 0; ; attempt += 1) {
      const row = await read();
      if (row === undefined) return undefined;
      try {
        return await this.#unwrap(row);
      } catch (error) {
        if (attempt > 0 || !isCryptoError(error, 'KEK_UNAVAILABLE')) throw error;
      }
    }
  }

  async #unwrap(row: DataKeyRow): Promise<DataKey> {
    const key = unwrapDek(await this.#kek.kek(row.kek_epoch), bindingOf(row), { nonce: row.wrap_nonce, ciphertext: row.wrapped_dek });
    return { subjectId: row.subject_id, keyId: row.key_id, keyVersion: row.key_version, key };
  }

  /**
   * Creates the first DEK of each subject that has none, in one statement (`create_data_keys`, one round trip and one
   * commit for any number of subjects) and returns every subject's current key. The DEKs are wrapped here under the
   * epoch last seen current; the function refuses if that epoch is no longer current (a rotation retired it), and
   * the keys are wrapped again under the new one. Never a key for an erased subject: KEY_SHREDDED.
   */
  async #createKeys(subjectIds: readonly string[]): Promise<DataKey[]> {
    const sorted = [...subjectIds].sort();
    for (let attempt = 0; ; attempt++) {
      const epoch = this.#epoch ?? (this.#epoch = await this.#transaction((client) => this.#currentEpoch(client)));
      let kek: Uint8Array;
      try {
        kek = await this.#kek.kek(epoch);
      } catch (error) {
        // A rotation retired the epoch (read just now or remembered) and destroyed its KEK: read the current one again.
        if (isCryptoError(error, 'KEK_UNAVAILABLE') && attempt < 3) {
          this.#epoch = undefined;
          continue;
        }
        throw error;
      }
      const fresh = sorted.map((subjectId) => {
        const binding = { subjectId, keyId: `sk_${Buffer.from(this.#randomBytes(16)).toString('hex')}`, keyVersion: 1, kekEpoch: epoch };
        const dek = this.#randomBytes(AES_256_KEY_BYTES);
        return { binding, dek, wrapped: wrapDek(kek, binding, dek, this.#randomBytes) };
      });
      try {
        const { rows } = await this.#pool.query<DataKeyRow>(`SELECT ${DATA_KEY_COLUMNS} FROM create_data_keys($1, $2, $3, $4, $5, $6)`, [
          fresh.map((f) => f.binding.subjectId),
          fresh.map((f) => f.binding.keyId),
          epoch,
          fresh.map((f) => Buffer.from(f.wrapped.ciphertext)),
          fresh.map((f) => Buffer.from(f.wrapped.nonce)),
          this.#clock(),
        ]);
        // Re-read rather than trust the insert: where another creator won, its key is the subject's key.
        const ours = new Map(fresh.map((f) => [f.binding.keyId, f]));
        return await Promise.all(
          rows.map(async (row): Promise<DataKey> => {
            const mine = ours.get(row.key_id);
            return mine === undefined ? this.#unwrap(row) : { subjectId: row.subject_id, keyId: row.key_id, keyVersion: row.key_version, key: mine.dek };
          }),
        );
      } catch (error) {
        const code = (error as { code?: string }).code;
        // An erased subject never gets a new key: a late write must fail rather than store fresh PII for them.
        if (code === SHREDDED_SQLSTATE)
          throw cryptoError('KEY_SHREDDED', sorted.length === 1 ? 'the subject was shredded' : 'a subject of the batch was shredded');
        if (code === EPOCH_MOVED_SQLSTATE && attempt < 3) {
          this.#epoch = undefined;
          continue;
        }
        throw error;
      }
    }
  }

  /** The highest epoch not retired; the first DEK ever created records the provider's current epoch. */
  async #currentEpoch(client: PoolClient): Promise<number> {
    const current = async () =>
      (await client.query<{ epoch: number | null }>('SELECT max(epoch) AS epoch FROM kek_epochs WHERE retired_at IS NULL')).rows[0]?.epoch ?? null;
    const epoch = await current();
    if (epoch !== null) return epoch;
    await client.query('INSERT INTO kek_epochs (epoch, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING', [await this.#kek.currentEpoch(), this.#clock()]);
    const created = await current();
    if (created === null) throw cryptoError('KEK_EPOCH_CONFLICT', 'the vault has no usable KEK epoch');
    return created;
  }

  #transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return withTransaction(this.#pool, work);
  }
}

function bindingOf(row: DataKeyRow) {
  return { subjectId: row.subject_id, keyId: row.key_id, keyVersion: row.key_version, kekEpoch: row.kek_epoch };
}

function toErasureRecord(row: LedgerRow): ErasureRecord {
  return { subjectId: row.subject_id, keyId: row.key_id ?? undefined, erasedAt: row.erased_at, reason: row.reason, keyVersions: row.key_versions };
}

function toShredResult(row: LedgerRow): Omit<ShredResult, 'alreadyShredded'> {
  return { subjectId: row.subject_id, keyVersions: row.key_versions, erasedAt: row.erased_at, reason: row.reason };
}

function assertSubjectId(subjectId: string): void {
  if (typeof subjectId !== 'string' || subjectId.length === 0 || subjectId.length > 256) {
    throw cryptoError('SEAL_BINDING_INVALID', 'subject id must be a non-empty string of at most 256 characters');
  }
}
