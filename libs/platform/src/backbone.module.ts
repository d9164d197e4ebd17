import { Inject, Injectable, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import type { PlatformConfig } from '@crm/config';
import {
  BlindIndexer,
  CachingKekProvider,
  CachingKeyStore,
  createKeyVaultPool,
  FieldCipher,
  FileKekProvider,
  KEK_EVICTION,
  KekRotationAnnouncer,
  KekRotationReactor,
  PostgresKeyStore,
  SHRED_EVICTION,
  ShredAnnouncer,
  ShredReactor,
  SubjectShredder,
  type BlindIndexNormaliser,
} from '@crm/crypto';
import { CommandPipeline, EventStore, OutboxRelay } from '@crm/eventstore';
import { KAFKA_PRIMARY, type KafkaCluster } from '@crm/messaging';
import { PG_POOL } from '@crm/postgres';
import { CLOCK, type Clock } from './clock.module.js';

export const EVENT_STORE = Symbol('EVENT_STORE');
/** The service's one write path (`CommandPipeline`): every write of the service goes through it. */
export const COMMAND_PIPELINE = Symbol('COMMAND_PIPELINE');
export const FIELD_CIPHER = Symbol('FIELD_CIPHER');
export const BLIND_INDEXER = Symbol('BLIND_INDEXER');
export const SUBJECT_SHREDDER = Symbol('SUBJECT_SHREDDER');
export const KEY_CACHE = Symbol('KEY_CACHE');
/** The key vault itself (uncached): what KEK rotation and the vault's bookkeeping need. */
export const KEY_VAULT = Symbol('KEY_VAULT');
const KEY_VAULT_POOL = Symbol('KEY_VAULT_POOL');
const BACKBONE_OPTIONS = Symbol('BACKBONE_OPTIONS');

export interface BackboneOptions {
  /** Postgres schema of the service's event store (in the service's own database). */
  schema: string;
  /** The service's event topic, `crm.<context>.v1.events`. */
  topic: string;
  partitions?: number;
  /** Blind indexes the service searches by, name → normaliser. */
  blindIndexes?: Record<string, BlindIndexNormaliser>;
  /**
   * Whether this process relays the outbox (default true). A tool that opens the service's data beside the running
   * service (e.g. the analytics backfill) writes no events and leaves the relay to the service.
   */
  relay?: boolean;
}

/**
 * Boots the write side the way every service needs it: the topic exists, the outbox relay runs. The schema is the
 * migrations' job (docs/migrations.md). (This process evicts shredded keys as soon as any process announces them
 * through `ShredReactor`, and forgets KEKs a rotation destroyed through `KekRotationReactor`, reactors hosted by the
 * platform's Kafka event transport.)
 */
@Injectable()
class BackboneLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  #relay: OutboxRelay | undefined;

  constructor(
    @Inject(BACKBONE_OPTIONS) private readonly options: BackboneOptions & { service: string },
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(KAFKA_PRIMARY) private readonly kafka: KafkaCluster,
    @Inject(KEY_VAULT_POOL) private readonly vault: Pool,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.relay === false) return;
    await this.kafka.ensureTopics([{ name: this.options.topic, partitions: this.options.partitions ?? 6 }]);
    this.#relay = new OutboxRelay(this.pool, this.kafka, { schema: this.options.schema });
    this.#relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.#relay?.stop();
    await this.vault.end();
  }
}

@Module({})
export class BackboneModule {
  static register(config: PlatformConfig, options: BackboneOptions): DynamicModule {
    // KEKs cached in memory (no file read per new subject); a rotation in this process updates the cache before it
    // returns, one in another process reaches it through `KekRotationReactor`, and the TTL bounds a missed one.
    const kek = new CachingKekProvider(new FileKekProvider({ stateDir: config.stateDir }), { ttlMs: 60_000 });
    return {
      module: BackboneModule,
      global: true,
      controllers: [ShredReactor, KekRotationReactor],
      providers: [
        { provide: BACKBONE_OPTIONS, useValue: { ...options, service: config.service } },
        {
          provide: EVENT_STORE,
          inject: [PG_POOL],
          useFactory: (pool: Pool) => new EventStore(pool, { schema: options.schema, topic: options.topic }),
        },
        {
          provide: COMMAND_PIPELINE,
          inject: [PG_POOL, EVENT_STORE, CLOCK],
          useFactory: (pool: Pool, store: EventStore, clock: Clock) => new CommandPipeline(pool, store, { clock }),
        },
        {
          provide: KEY_VAULT_POOL,
          useFactory: () => createKeyVaultPool(config.postgres!, { applicationName: `${config.service}-keys`, max: 4, create: false }),
        },
        {
          provide: KEY_VAULT,
          inject: [KEY_VAULT_POOL, KAFKA_PRIMARY, CLOCK],
          useFactory: (vault: Pool, kafka: KafkaCluster, clock: Clock) =>
            new PostgresKeyStore({ pool: vault, kek, rotationAnnouncer: new KekRotationAnnouncer(kafka), clock }),
        },
        { provide: KEY_CACHE, inject: [KEY_VAULT], useFactory: (vault: PostgresKeyStore) => new CachingKeyStore(vault, { ttlMs: 60_000 }) },
        { provide: FIELD_CIPHER, inject: [KEY_CACHE], useFactory: (keys: CachingKeyStore) => new FieldCipher(keys) },
        {
          provide: SUBJECT_SHREDDER,
          inject: [KEY_CACHE, KAFKA_PRIMARY],
          useFactory: (keys: CachingKeyStore, kafka: KafkaCluster) =>
            new SubjectShredder({ keyStore: keys, caches: [keys], announcer: new ShredAnnouncer(kafka) }),
        },
        { provide: BLIND_INDEXER, useFactory: () => BlindIndexer.fromStateDir(config.stateDir, options.blindIndexes ?? {}) },
        { provide: SHRED_EVICTION, inject: [KEY_CACHE], useFactory: (keys: CachingKeyStore) => ({ processName: config.service, caches: keys }) },
        { provide: KEK_EVICTION, useValue: { processName: config.service, caches: kek } },
        BackboneLifecycle,
      ],
      exports: [EVENT_STORE, COMMAND_PIPELINE, FIELD_CIPHER, BLIND_INDEXER, SUBJECT_SHREDDER, KEY_CACHE, KEY_VAULT],
    };
  }
}
