import { fromBinary, type DescMessage, type Message, type MessageShape } from '@bufbuild/protobuf';
import { ContractError } from './contract.error.js';
import { EventEnvelopeSchema, type EventEnvelope } from './gen/crm/events/v1/event_envelope_pb.js';
import { eventRegistry } from './event.registry.js';

function decode<Desc extends DescMessage>(schema: Desc, bytes: Uint8Array): MessageShape<Desc> {
  try {
    return fromBinary(schema, bytes);
  } catch (error) {
    // protobuf-es reports wire-level problems ("premature EOF", "illegal tag"); the cause keeps them for the
    // stack trace, the message stays free of payload content.
    throw new ContractError('EVENT_DECODE_FAILED', `cannot decode ${schema.typeName} from ${bytes.length} bytes`, { cause: error });
  }
}

/**
 * Decodes a Kafka message value into an envelope. An empty or foreign value can decode "successfully" into an
 * envelope of defaults, so one without `event_id` or `event_type` is refused as undecodable too: either way the
 * bytes are poison and belong in the dead-letter topic.
 */
export function decodeEnvelope(bytes: Uint8Array): EventEnvelope {
  const envelope = decode(EventEnvelopeSchema, bytes);
  if (envelope.eventId === '' || envelope.eventType === '') {
    throw new ContractError('EVENT_DECODE_FAILED', `${EventEnvelopeSchema.typeName} without event_id or event_type (${bytes.length} bytes)`);
  }
  return envelope;
}

/** Decodes the payload as whatever `payload_type` names, looked up in {@link eventRegistry}. */
export function decodePayload(envelope: EventEnvelope): Message;
/** Decodes the payload as `schema`, refusing an envelope whose `payload_type` names another message. */
export function decodePayload<Desc extends DescMessage>(envelope: EventEnvelope, schema: Desc): MessageShape<Desc>;
export function decodePayload(envelope: EventEnvelope, schema?: DescMessage): Message {
  if (schema !== undefined) {
    if (envelope.payloadType !== schema.typeName) {
      throw new ContractError('EVENT_PAYLOAD_TYPE_MISMATCH', `payload is ${envelope.payloadType || '(none)'}, expected ${schema.typeName}`);
    }
    return decode(schema, envelope.payload);
  }
  const registered = eventRegistry.getMessage(envelope.payloadType);
  if (registered === undefined) {
    throw new ContractError('EVENT_PAYLOAD_TYPE_UNKNOWN', `no schema registered for payload type ${envelope.payloadType || '(none)'}`);
  }
  return decode(registered, envelope.payload);
}
