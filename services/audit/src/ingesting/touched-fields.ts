import { ScalarType, type DescMessage, type Message } from '@bufbuild/protobuf';
import { ContactFieldSchema, decodePayload, eventRegistry, type EventEnvelope } from '@crm/contracts';

/**
 * Repeated string fields that list catalogue paths by convention (`ContactDataAccessed.fields`,
 * `ContactsExported.fields`, `ContactRectified.removed`). Naming the convention rather than each message means a
 * new access or export event is covered the day it is added to the registry.
 */
const PATH_LISTS = new Set(['fields', 'removed', 'field_paths']);
const MAX_DEPTH = 8;
const MAX_FIELDS = 256;

/**
 * The catalogue paths of personal data an event touched, read from the clear parts of its payload: the `path` of
 * every `crm.contacts.v1.ContactField` (its value is sealed and never looked at) and the path lists above.
 * A payload type the registry does not know, or bytes that do not decode, touch no known field: the entry is still
 * recorded (an audit trail with a hole is worse than one with an empty column), just without fields.
 */
export function touchedFields(envelope: EventEnvelope): string[] {
  let payload: Message;
  try {
    payload = decodePayload(envelope);
  } catch {
    return [];
  }
  const schema = eventRegistry.getMessage(payload.$typeName);
  if (schema === undefined) return [];
  const found = new Set<string>();
  collect(schema, payload, found, 0);
  return [...found].sort().slice(0, MAX_FIELDS);
}

function collect(schema: DescMessage, message: Message, found: Set<string>, depth: number): void {
  if (depth > MAX_DEPTH) return;
  const values = message as unknown as Record<string, unknown>;
  if (schema.typeName === ContactFieldSchema.typeName) {
    const path = values.path;
    if (typeof path === 'string' && path !== '') found.add(path);
    return;
  }
  for (const field of schema.fields) {
    // Members of a oneof live under the oneof's name as { case, value }.
    const value = field.oneof === undefined ? values[field.localName] : oneofValue(values[field.oneof.localName], field.localName);
    if (value === undefined) continue;
    switch (field.fieldKind) {
      case 'message':
        collect(field.message, value as Message, found, depth + 1);
        break;
      case 'list':
        if (field.listKind === 'message') {
          for (const item of value as Message[]) collect(field.message, item, found, depth + 1);
        } else if (field.listKind === 'scalar' && field.scalar === ScalarType.STRING && PATH_LISTS.has(field.name)) {
          for (const item of value as string[]) if (item !== '') found.add(item);
        }
        break;
      case 'scalar':
      case 'enum':
      case 'map':
        break;
      default: {
        const _exhaustive: never = field;
        return _exhaustive;
      }
    }
  }
}

function oneofValue(group: unknown, localName: string): unknown {
  if (typeof group !== 'object' || group === null) return undefined;
  const { case: selected, value } = group as { case?: string; value?: unknown };
  return selected === localName ? value : undefined;
}
