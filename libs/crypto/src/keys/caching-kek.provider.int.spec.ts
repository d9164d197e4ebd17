import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Pool } from '@crm/postgres';
import { KAFKA_PRIMARY, KafkaCluster } from '@crm/messaging';
import { KafkaEventTransport } from '@crm/processing';
import { expectEventually, testPlatformConfig, uniqueName } from '@crm/testing';
import { FieldCipher } from '../field-cipher/field.cipher.js';
import { decodeKekRotated, KEK_ROTATED_TYPE } from '../rotation/kek-rotated.codec.js';
import { KekRotationAnnouncer } from '../rotation/kek-rotation.announcer.js';
import { KEK_EVICTION, KekRotationReactor, type KekEviction } from '../rotation/kek-rotation.reactor.js';
import { readSecretFile } from '../secrets/secret-file.js';
import { CachingKekProvider } from './caching-kek.provider.js';
import { FileKekProvider, type KekFileReads } from './file-kek.provider.js';
import type { KekCache } from './kek-provider.port.js';
import { PostgresKeyStore } from './postgres-key.store.js';
import { scratchKeyVault, type ScratchKeyVault } from './scratch-key-vault.fixture.js';

const config = testPlatformConfig();
const kafka = new KafkaCluster({ name: 'primary', brokers: config.kafka.primaryBrokers, sasl: config.kafka.sasl, clientId: 'kek-cache-test' });
const HOUR = 3_600_000;

let vault: ScratchKeyVault;
let pool: Pool;

beforeAll(async () => {
  vault = await scratchKeyVault(config.postgres!);
  ({ pool } = await vault.openStore());
});

afterAll(async () => {
  await kafka.close();
  await vault.dispose();
});

const subject = () => uniqueName('subject');

/**
 * The file reads of a `FileKekProvider`, counted; `deny()` makes every later read fail as a directory without read
 * permission would (the tests run as root, for whom chmod does not stop reads).
 */
function countingReads() {
  const counts = { keyFiles: 0, listings: 0 };
  let denied = false;
  const refuse = () => Object.assign(new Error('EACCES: permission denied (test)'), { code: 'EACCES' });
  const io: KekFileReads = {
    async readSecret(path, size) {
      counts.keyFiles += 1;
      if (denied) throw refuse();
      return readSecretFile(path, size);
    },
    async listDirectory(path) {
      counts.listings += 1;
      if (denied) throw refuse();
      return readdir(path);
    },
  };
  return { counts, io, deny: () => (denied = true), total: () => counts.keyFiles + counts.listings };
}

/** A process of its own: a caching KEK provider over the scratch vault's KEK directory and a key store using it. */
async function process(options: { ttlMs?: number; now?: () => number; io?: KekFileReads; announcer?: KekRotationAnnouncer; rewrapBatchSize?: number } = {}) {
  const kek = new CachingKekProvider(new FileKekProvider({ stateDir: vault.stateDir, ...(options.io === undefined ? {} : { io: options.io }) }), {
    ttlMs: options.ttlMs ?? HOUR,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const { pool: own } = await vault.openStore();
  const store = new PostgresKeyStore({
    pool: own,
    kek,
    ...(options.announcer === undefined ? {} : { rotationAnnouncer: options.announcer }),
    ...(options.rewrapBatchSize === undefined ? {} : { rewrapBatchSize: options.rewrapBatchSize }),
  });
  return { kek, store };
}

/** A store with no cache at all, as a process that just started. */
const uncachedStore = async () => (await vault.openStore()).store;

/** The KEK rotation reactor hosted the way services host it: a Nest microservice on the Kafka event transport. */
async function host(eviction: KekEviction): Promise<INestMicroservice> {
  @Module({
    controllers: [KekRotationReactor],
    providers: [
      { provide: KEK_EVICTION, useValue: eviction },
      { provide: KAFKA_PRIMARY, useValue: kafka },
    ],
  })
  class KekEvictionProbeModule {}
  const app: INestMicroservice = await NestFactory.createMicroservice(KekEvictionProbeModule, {
    strategy: new KafkaEventTransport({ kafka, resolve: <T>(token: unknown): T => app.get<T>(token as string, { strict: false }) }),
    logger: false,
  });
  await app.listen();
  return app;
}

describe('the KEK cache on the hot path', () => {
  it('given warm KEKs, then creating and unwrapping DEKs reads no file, keeps working when the KEK directory becomes unreadable, while a fresh provider fails', async () => {
    const reads = countingReads();
    const { kek, store } = await process({ io: reads.io });
    const warm = await store.dekFor(subject());
    const epoch = await kek.currentEpoch();
    expect(kek.cachedEpochs()).toEqual([epoch]);
    const before = { ...reads.counts };
    expect(reads.total()).toBeGreaterThan(0); // the warm-up did read the files

    const created = await Promise.all(Array.from({ length: 20 }, () => store.dekFor(subject())));
    expect(await store.dekById(warm.keyId, warm.keyVersion)).toEqual(warm);
    expect(await kek.currentEpoch()).toBe(epoch);
    expect(reads.counts).toEqual(before);

    reads.deny();
    const another = await store.dekFor(subject());
    expect(await store.dekById(created[3]!.keyId, 1)).toEqual(created[3]);
    expect(await (await uncachedStore()).dekById(another.keyId, another.keyVersion)).toEqual(another);
    const cold = new CachingKekProvider(new FileKekProvider({ stateDir: vault.stateDir, io: reads.io }));
    await expect(cold.kek(epoch)).rejects.toMatchObject({ code: 'EACCES' });
    await expect(cold.currentEpoch()).rejects.toMatchObject({ code: 'EACCES' });
  });

  it('hands out copies: a caller zeroing its KEK (as rotateKek does) does not zero the cached one', async () => {
    const { kek } = await process();
    const epoch = await kek.currentEpoch();
    const expected = Buffer.from(await kek.kek(epoch)); // a miss: loads and caches
    const first = await kek.kek(epoch); // a hit
    first.fill(0);

    expect(Buffer.from(await kek.kek(epoch))).toEqual(expected);
    expect(Buffer.from(await vault.kek.kek(epoch))).toEqual(expected);
  });
});

describe('rotation invalidates the KEK cache', () => {
  it('given a rotation in this process, then the retired epoch is forgotten before rotateKek returns, kek(old) is KEK_UNAVAILABLE and the new epoch is current without a directory read', async () => {
    const reads = countingReads();
    const { kek, store } = await process({ io: reads.io });
    const cipher = new FieldCipher(store);
    const s = subject();
    const sealed = await cipher.seal(s, 'contacts.contact.email', 'marker-7d1f@example.com');
    const old = await kek.currentEpoch();
    await kek.kek(old);
    expect(kek.cachedEpochs()).toContain(old);

    const rotation = await store.rotateKek();

    expect(rotation.retiredEpochs).toContain(old);
    expect(kek.cachedEpochs()).not.toContain(old);
    await expect(kek.kek(old)).rejects.toMatchObject({ code: 'KEK_UNAVAILABLE' });
    const listings = reads.counts.listings;
    expect(await kek.currentEpoch()).toBe(rotation.epoch);
    expect(reads.counts.listings).toBe(listings);
    // The new epoch's KEK is the one on disk (not a zeroed or stale copy), and new DEKs are wrapped under it.
    expect(Buffer.from(await kek.kek(rotation.epoch))).toEqual(Buffer.from(await vault.kek.kek(rotation.epoch)));
    const fresh = await store.dekFor(subject());
    expect(await (await uncachedStore()).dekById(fresh.keyId, fresh.keyVersion)).toEqual(fresh);
    expect(await new FieldCipher(await uncachedStore()).openText(s, 'contacts.contact.email', sealed)).toBe('marker-7d1f@example.com');
  });

  it('given another process holding the old KEK, when this process rotates, then the other forgets it on the announcement', async () => {
    const topic = uniqueName('it-crm.keys.v1.kek-rotated');
    const announcer = new KekRotationAnnouncer(kafka, { topic });
    await announcer.ensureTopic();
    const here = await process({ announcer });
    const there = await process();
    await there.store.dekFor(subject());
    const old = await there.kek.currentEpoch();
    await there.kek.kek(old);
    // Records what the reactor handed over, to know when it is positioned (it starts at the topic's end).
    const heard: number[] = [];
    const probe: KekCache = { forgetBelow: (epoch) => void heard.push(epoch), clear: () => undefined };
    const app = await host({ processName: 'contacts-test', caches: [there.kek, probe], topic });
    try {
      // A probe announcement for epoch 1 forgets nothing (no epoch is below 1); repeated until the reactor hears it.
      await expectEventually(
        async () => {
          if (!heard.includes(1)) await kafka.publish(topic, [{ key: '1', value: Buffer.from('probe') }]);
          expect(heard).toContain(1);
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      );
      expect(there.kek.cachedEpochs()).toContain(old);

      const rotation = await here.store.rotateKek();

      await expectEventually(() => expect(there.kek.cachedEpochs()).not.toContain(old), { timeoutMs: 20_000 });
      await expect(there.kek.kek(old)).rejects.toMatchObject({ code: 'KEK_UNAVAILABLE' });
      expect(heard).toContain(rotation.epoch);
      const announced = await kafka.readFromStart(topic, (seen) => seen.some((m) => m.headers['message-type'] === KEK_ROTATED_TYPE), {
        groupId: uniqueName('it-kek-rotated-reader'),
        timeoutMs: 20_000,
      });
      const message = announced.find((m) => m.headers['message-type'] === KEK_ROTATED_TYPE)!;
      expect(message.key).toBe(String(rotation.epoch));
      expect(decodeKekRotated(message.value)).toEqual({
        fromEpoch: Math.max(...rotation.retiredEpochs),
        toEpoch: rotation.epoch,
        rotatedAt: rotation.rotatedAt,
        rewrappedKeys: rotation.rewrapped,
      });
      // The other process keeps working under the new epoch.
      const key = await there.store.dekFor(subject());
      expect(await (await uncachedStore()).dekById(key.keyId, key.keyVersion)).toEqual(key);
    } finally {
      await app.close();
    }
  });

  it('given a missed announcement, then a KEK and the current epoch are trusted for at most the TTL', async () => {
    // A KEK directory of its own: this test destroys epochs behind the vault's back, which must not leak into others.
    const stateDir = await mkdtemp(join(tmpdir(), 'crm-kek-ttl-'));
    try {
      let now = 0;
      const reads = countingReads();
      const kek = new CachingKekProvider(new FileKekProvider({ stateDir, io: reads.io }), { ttlMs: 60_000, now: () => now });
      const other = new FileKekProvider({ stateDir }); // another process, whose rotation announcement this one missed
      const epoch = await other.createNext();
      expect(await kek.currentEpoch()).toBe(epoch);
      await kek.kek(epoch);
      const afterWarmUp = reads.total();

      const next = await other.createNext();
      await other.destroy(epoch);

      now = 59_999;
      expect(await kek.currentEpoch()).toBe(epoch); // stale, but within the bound
      await kek.kek(epoch);
      expect(reads.total()).toBe(afterWarmUp);
      now = 60_000;
      await expect(kek.kek(epoch)).rejects.toMatchObject({ code: 'KEK_UNAVAILABLE' });
      expect(await kek.currentEpoch()).toBe(next);
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});

describe('DEK creation racing a rotation, with KEK caches on both sides', () => {
  it('given a creator whose cache still holds the old epoch, then every DEK it creates during and after the rotation is wrapped under the new epoch or re-wrapped, and stays readable', async () => {
    const creator = await process();
    const rotator = await process({ rewrapBatchSize: 2 });
    const subjects = Array.from({ length: 30 }, subject);
    await Promise.all(subjects.slice(0, 10).map((s) => creator.store.dekFor(s)));
    const old = await creator.kek.currentEpoch();
    expect(creator.kek.cachedEpochs()).toContain(old);

    const [rotation, ...created] = await Promise.all([rotator.store.rotateKek(), ...subjects.map((s) => creator.store.dekFor(s))]);
    // No announcement reached the creator: its cache may still hold the destroyed epoch.
    const late = await Promise.all(Array.from({ length: 5 }, () => creator.store.dekFor(subject())));

    const fresh = await uncachedStore();
    for (const key of [...created, ...late]) expect(await fresh.dekById(key.keyId, key.keyVersion)).toEqual(key);
    const epochs = (await pool.query<{ kek_epoch: number }>('SELECT DISTINCT kek_epoch FROM data_keys')).rows.map((row) => row.kek_epoch);
    expect(epochs).toEqual([rotation.epoch]);
    await expect(vault.kek.kek(old)).rejects.toMatchObject({ code: 'KEK_UNAVAILABLE' });
  });
});
