import { Inject, Injectable } from '@nestjs/common';
import { create, decodePayload, ProcessingActivityRecordedSchema, ProcessorRecordedSchema, toBinary } from '@crm/contracts';
import { CommandPipeline, type EventStore } from '@crm/eventstore';
import { PG_POOL, type Pool } from '@crm/postgres';
import type { AuditConfig } from '../audit.config.js';
import { AUDIT_CONFIG, REGISTER_EVENT_STORE } from '../audit.tokens.js';
import type { ActivityDocument } from './activities/activity.document.js';
import type { ProcessorDocument } from './processors/processor.document.js';
import { VersionedRegister, type RecordChange } from './versioned.register.js';

/** The two registers, over the same event store (topic `crm.audit.v1.events`). */
@Injectable()
export class Registers {
  readonly activities: VersionedRegister<ActivityDocument>;
  readonly processors: VersionedRegister<ProcessorDocument>;

  constructor(@Inject(PG_POOL) pool: Pool, @Inject(REGISTER_EVENT_STORE) events: EventStore, @Inject(AUDIT_CONFIG) config: AuditConfig) {
    // The audit service's one write path: its only writes of its own are register versions.
    const pipeline = new CommandPipeline(pool, events);
    this.activities = new VersionedRegister<ActivityDocument>(pool, pipeline, config.schema, {
      table: 'activity_versions',
      streamPrefix: 'activity',
      event: ({ id, version, json: documentJson, status, change }) => {
        const document = JSON.parse(documentJson) as ActivityDocument;
        const payload = create(ProcessingActivityRecordedSchema, {
          activityId: id,
          version,
          name: document.name,
          purposes: document.purposes,
          documentJson,
          status,
          change,
        });
        return {
          type: ProcessingActivityRecordedSchema.typeName,
          payloadType: ProcessingActivityRecordedSchema.typeName,
          payload: toBinary(ProcessingActivityRecordedSchema, payload),
        };
      },
      recorded: (envelope) => {
        const message = decodePayload(envelope, ProcessingActivityRecordedSchema);
        return {
          id: message.activityId,
          version: message.version,
          json: message.documentJson,
          status: message.status === 'draft' ? 'draft' : 'approved',
          change: (message.change || (message.version === 1 ? 'declared' : 'revised')) as RecordChange,
        };
      },
    });
    this.processors = new VersionedRegister<ProcessorDocument>(pool, pipeline, config.schema, {
      table: 'processor_versions',
      streamPrefix: 'processor',
      event: ({ id, version, json: documentJson }) => {
        const document = JSON.parse(documentJson) as ProcessorDocument;
        const payload = create(ProcessorRecordedSchema, { processorId: id, version, name: document.name, documentJson });
        return { type: ProcessorRecordedSchema.typeName, payloadType: ProcessorRecordedSchema.typeName, payload: toBinary(ProcessorRecordedSchema, payload) };
      },
      recorded: (envelope) => {
        const message = decodePayload(envelope, ProcessorRecordedSchema);
        return {
          id: message.processorId,
          version: message.version,
          json: message.documentJson,
          status: 'approved',
          change: message.version === 1 ? 'declared' : 'revised',
        };
      },
    });
  }
}
