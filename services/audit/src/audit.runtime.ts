import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { PlatformConfig } from '@crm/config';
import { OutboxRelay } from '@crm/eventstore';
import { createLogger, type Logger } from '@crm/logging';
import { KAFKA_PRIMARY, type KafkaCluster } from '@crm/messaging';
import { CLOCK, type Clock } from '@crm/platform';
import { PG_POOL, type Pool } from '@crm/postgres';
import type { AuditConfig } from './audit.config.js';
import { AUDIT_CONFIG, TREE_HEAD_KEY } from './audit.tokens.js';
import { EntriesStore } from './trail/entries.store.js';
import { AuditLogView } from './tree-heads/log.view.js';
import { TreeHeadPublisher } from './tree-heads/tree-head.publisher.js';
import type { TreeHeadKey } from './tree-heads/tree-head.key.js';

export const PLATFORM_CONFIG = Symbol('PLATFORM_CONFIG');

/**
 * Boots the audit log in order: log id, the tree rebuilt from the stored leaf hashes, the heads already on Kafka checked
 * against it, then periodic signing. The register's outbox relay runs beside them. Ingest is the
 * `AuditIngestController` projector, which the platform's event transport starts once this has booted. The schema is
 * the migrations' job (docs/migrations.md): the service does not start while one is pending.
 */
@Injectable()
export class AuditRuntime implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly view: AuditLogView;
  #publisher: TreeHeadPublisher | undefined;
  #relay: OutboxRelay | undefined;
  readonly #logger: Logger;

  constructor(
    readonly store: EntriesStore,
    @Inject(KAFKA_PRIMARY) private readonly kafka: KafkaCluster,
    @Inject(AUDIT_CONFIG) private readonly config: AuditConfig,
    @Inject(TREE_HEAD_KEY) readonly key: TreeHeadKey,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(PLATFORM_CONFIG) platform: PlatformConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.view = new AuditLogView(store);
    this.#logger = createLogger({ service: platform.service, level: platform.logLevel });
  }

  get publisher(): TreeHeadPublisher {
    if (this.#publisher === undefined) throw new Error('the audit runtime has not started');
    return this.#publisher;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.kafka.ensureTopics([{ name: this.config.registerTopic, partitions: 3 }]);
    this.#relay = new OutboxRelay(this.pool, this.kafka, { schema: this.config.schema });
    this.#relay.start();
    const logId = await this.store.logId();
    this.#publisher = new TreeHeadPublisher(this.kafka, this.view, this.key, logId, {
      intervalMs: this.config.ingest ? this.config.signIntervalMs : 2 ** 31 - 1,
      topic: this.config.treeHeadsTopic,
      logger: this.#logger,
      now: this.clock,
    });
    await this.#publisher.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.#publisher?.stop();
    await this.#relay?.stop();
  }
}
