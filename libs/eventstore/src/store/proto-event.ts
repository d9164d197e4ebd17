import { create, toBinary, type DescMessage, type MessageInitShape } from '@crm/contracts';
import type { NewEvent } from './event.types.js';

/**
 * A protobuf message as an event about to be appended: its type is the message's fully-qualified name. `keyId`
 * names the subject key that sealed PII inside the payload, so a reader knows which key it needs (and that it may
 * be shredded); leave it out when the payload holds none.
 */
export function protoEvent<Desc extends DescMessage>(schema: Desc, data: MessageInitShape<Desc>, subjectId?: string, keyId?: string): NewEvent {
  return {
    type: schema.typeName,
    payloadType: schema.typeName,
    payload: toBinary(schema, create(schema, data)),
    ...(subjectId === undefined ? {} : { subjectId }),
    ...(keyId === undefined || keyId === '' ? {} : { keyId }),
  };
}
