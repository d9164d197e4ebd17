import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { PlatformConfig } from '@crm/config';
import { OutboxRelay } from '@crm/eventstore';
import { createLogger, type Logger } from '@crm/logging';
import { KafkaCluster, KAFKA_PRIMARY } from '@crm/messaging';
import { CLOCK, type Clock } from '@crm/platform';
import { PG_POOL, type Pool } from '@crm/postgres';
import type { AuditConfig } from './audit.config.js';
import { AUDIT_CONFIG, TREE_HEAD_KEY } from './audit.tokens.js';
import { EntriesStore } from './trail/entries.store.js';
import { AuditLogView } from './tree-heads/log.view.js';
import { TreeHeadPublisher } from './tree-heads/tree-head.publisher.js';
import type { TreeHeadKey } from './tree-heads/tree-head.key.js';
import { AuditVerificationJobs } from './verifying/scheduled-verification/audit-verification.jobs.js';
import { AuditVerificationRunner } from './verifying/scheduled-verification/audit-verification.runner.js';

export const PLATFORM_CONFIG = Symbol('PLATFORM_CONFIG');

/**
 * Boots the audit log in order: log id, the tree rebuilt from the stored entries (every leaf hash recomputed from the
 * entry's fields, see `AuditLogView`), the heads already on Kafka checked against it, then periodic signing, and the
 * daily verification against the heads mirrored on the backup cluster (`CRM_AUDIT_VERIFY_SCHEDULE`; the instance that
 * ingests runs it). The register's outbox relay runs beside them. Ingest is the
 * `AuditIngestController` projector, which the platform's event transport starts once this has booted. The schema is
 * the migrations' job (docs/migrations.md): the service does not start while one is pending.
 */
@Injectable()
export class AuditRuntime implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly view: AuditLogView;
  #publisher: TreeHeadPublisher | undefined;
  #relay: OutboxRelay | undefined;
  #verifications: AuditVerificationJobs | undefined;
  readonly #logger: Logger;

  constructor(
    readonly store: EntriesStore,
    @Inject(KAFKA_PRIMARY) private readonly kafka: KafkaCluster,
    @Inject(AUDIT_CONFIG) private readonly config: AuditConfig,
    @Inject(TREE_HEAD_KEY) readonly key: TreeHeadKey,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(PLATFORM_CONFIG) private readonly platform: PlatformConfig,
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
    if (this.config.ingest) {
      this.#verifications = new AuditVerificationJobs(
        { redis: this.platform.redis, prefix: this.config.jobsPrefix, pattern: this.config.verifySchedule, timezone: this.config.verifyTimezone },
        this.verificationRunner(),
      );
      await this.#verifications.start();
    }
  }

  /** The verification of the trail against the heads on the backup cluster, alarm included (also run on demand). */
  verificationRunner(): AuditVerificationRunner {
    const brokers = this.platform.kafka.backupBrokers;
    return new AuditVerificationRunner({
      store: this.store,
      key: this.key,
      openHeadsCluster: () => new KafkaCluster({ name: 'backup', brokers, sasl: this.platform.kafka.sasl, clientId: 'crm-audit-verification' }),
      headsTopic: this.config.treeHeadsTopic,
      events: this.kafka,
      eventsTopic: this.config.registerTopic,
      logger: { log: (message) => this.#logger.info(message), error: (message) => this.#logger.error(message) },
      clock: this.clock,
    });
  }

  get verifications(): AuditVerificationJobs {
    if (this.#verifications === undefined) throw new Error('the audit verification jobs run only where the trail is ingested');
    return this.#verifications;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.#verifications?.stop();
    await this.#publisher?.stop();
    await this.#relay?.stop();
  }
}
