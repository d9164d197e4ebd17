import { ActorType, LegalBasis, type DescMessage, type MessageInitShape } from '@crm/contracts';
import { protoEvent, recordModel, uuidv7, type CommandPipeline, type EventMetadata, type NewEvent } from '@crm/eventstore';

export const IDENTITY_TOPIC = 'crm.identity.v1.events';
export const IDENTITY_SCHEMA = 'identity';

/**
 * Account administration and authentication are processing of staff personal data for the security of the system
 * (GDPR Art. 6(1)(f) legitimate interest, Art. 32). Every identity event states it.
 */
export function identityMetadata(actorId: string, correlationId: string, purpose = 'access-control'): EventMetadata {
  return {
    actor: { id: actorId, type: actorId === 'system' ? ActorType.SYSTEM : ActorType.USER },
    purpose,
    legalBasis: LegalBasis.LEGITIMATE_INTERESTS,
    correlationId,
  };
}

/** An identity event: always about one staff member (the subject), with `keyId` when it carries sealed PII. */
export function identityEvent<Desc extends DescMessage>(schema: Desc, data: MessageInitShape<Desc>, subjectId: string, keyId?: string): NewEvent {
  return protoEvent(schema, data, subjectId, keyId);
}

/** Authentication decisions are one-event streams: no aggregate to protect, and no contention between logins. */
export async function recordAuthEvent(pipeline: CommandPipeline, event: NewEvent, metadata: EventMetadata): Promise<void> {
  await pipeline.execute(recordModel, { streamId: `auth-${uuidv7()}`, event }, metadata);
}
