import { Controller, Inject } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { CLOCK, type Clock } from '@crm/platform';
import { Projector, type ProcessedEvent, type ProcessorContext } from '@crm/processing';
import type { AuditConfig } from '../audit.config.js';
import { AuditRuntime } from '../audit.runtime.js';
import { AUDIT_CONFIG } from '../audit.tokens.js';
import { EntriesStore } from '../trail/entries.store.js';
import { AUDIT_INGEST, auditIngestDeclaration, AuditIngestProjector } from './audit-ingest.projector.js';

/**
 * Every event topic into the audit trail: a projector hosted by the platform's Kafka event transport. Its options are
 * resolved when the transport starts, after `AuditRuntime` booted (the schema, the processor's tables included, is
 * migrated before the service starts): the topic pattern and batch size from the configuration, the consumer group
 * from the log id. A process with ingest off (`CRM_AUDIT_INGEST=off`) does not
 * subscribe.
 */
@Controller()
export class AuditIngestController {
  readonly #projector: AuditIngestProjector;

  constructor(runtime: AuditRuntime, @Inject(CLOCK) clock: Clock) {
    this.#projector = new AuditIngestProjector(runtime.store, runtime.view, { now: clock });
  }

  @Projector(AUDIT_INGEST, async (resolve) => {
    const config = resolve<AuditConfig>(AUDIT_CONFIG);
    if (!config.ingest) return null;
    return auditIngestDeclaration(config, await resolve<EntriesStore>(EntriesStore).logId());
  })
  async ingest(@Payload() events: ProcessedEvent[], @Ctx() context: ProcessorContext): Promise<void> {
    await this.#projector.handle(events, { tx: context.tx, afterCommit: (callback) => context.afterCommit(callback) });
  }
}
