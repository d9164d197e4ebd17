import { Inject, Injectable, Module } from '@nestjs/common';
import { ActorType, create, EventEnvelopeSchema, LegalBasis, toBinary, type DescMessage, type MessageInitShape } from '@crm/contracts';
import { createEnvelope, envelopeHeaders } from '@crm/eventstore';
import { KAFKA_PRIMARY, type KafkaCluster } from '@crm/messaging';

/** The backup service's events (drills, mirror alarms): the evidence that backups work, read by the audit trail. */
export const BACKUP_EVENTS_TOPIC = 'crm.backup.v1.events';

export interface BackupEvent<Desc extends DescMessage> {
  schema: Desc;
  payload: MessageInitShape<Desc>;
  /** The envelope's stream and version (`drill-<id>` 1; `mirror-alarm-<id>` 1 and 2). */
  stream: { id: string; version: bigint };
  /** A user who asked for it, or the service itself. */
  requestedBy: string | null;
  at: Date;
}

/**
 * Publishes the backup service's events on `crm.backup.v1.events`, as envelopes like every service's (purpose
 * data-protection-oversight, legal obligation: Art. 32(1)(c)-(d)). The service keeps no event store: its runs are in
 * its own tables, and these events carry no personal data. A failure is the caller's to report.
 */
@Injectable()
export class BackupEvents {
  #topicReady: Promise<void> | undefined;

  constructor(@Inject(KAFKA_PRIMARY) private readonly primary: KafkaCluster) {}

  async publish<Desc extends DescMessage>(event: BackupEvent<Desc>): Promise<void> {
    const envelope = createEnvelope(
      event.stream.id,
      event.stream.version,
      { type: event.schema.typeName, payloadType: event.schema.typeName, payload: toBinary(event.schema, create(event.schema, event.payload)) },
      {
        actor: event.requestedBy === null ? { id: 'backup-service', type: ActorType.SERVICE } : { id: event.requestedBy, type: ActorType.USER },
        purpose: 'data-protection-oversight',
        legalBasis: LegalBasis.LEGAL_OBLIGATION,
        correlationId: event.stream.id,
      },
      event.at,
    );
    this.#topicReady ??= this.primary.ensureTopics([{ name: BACKUP_EVENTS_TOPIC, partitions: 1, retentionMs: -1 }]).catch((error: unknown) => {
      this.#topicReady = undefined;
      throw error;
    });
    await this.#topicReady;
    await this.primary.publish(BACKUP_EVENTS_TOPIC, [
      { key: event.stream.id, value: Buffer.from(toBinary(EventEnvelopeSchema, envelope)), headers: envelopeHeaders(envelope.eventType, envelope.eventId) },
    ]);
  }
}

@Module({ providers: [BackupEvents], exports: [BackupEvents] })
export class BackupEventsModule {}
