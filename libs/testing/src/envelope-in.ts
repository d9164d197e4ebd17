import { decodeEnvelope, type EventEnvelope } from '@crm/contracts';

/**
 * The envelope a Kafka record holds, or undefined for a record that is none: the resilience suite's poison stays on
 * every consumed topic, so a test scanning a topic from its start must step over it.
 */
export function envelopeIn(value: Uint8Array): EventEnvelope | undefined {
  try {
    return decodeEnvelope(value);
  } catch {
    return undefined;
  }
}
