import { isUtf8 } from 'node:buffer';
import { ScalarType, type DescField, type DescMessage, type Message } from '@bufbuild/protobuf';
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
 *
 * The payload is read by a scan of its wire format (`scanTouchedFields`), which allocates nothing but the paths; a
 * payload the scan cannot vouch for is decoded in full instead (`touchedFieldsByDecoding`). Both give the same
 * answer for every input (touched-fields.unit.spec.ts): the answer is in every entry's leaf hash.
 */
export function touchedFields(envelope: EventEnvelope): string[] {
  const schema = eventRegistry.getMessage(envelope.payloadType);
  if (schema === undefined) return [];
  return scanTouchedFields(schema, envelope.payload) ?? touchedFieldsByDecoding(envelope);
}

/** The reference: decodes the whole payload with protobuf-es and walks the message. */
export function touchedFieldsByDecoding(envelope: EventEnvelope): string[] {
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

// ---------------------------------------------------------------------------------------------------------------
// The wire scan
// ---------------------------------------------------------------------------------------------------------------

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;
/** Deeper than this the scan gives up (protobuf-es refuses beyond 100): such a payload is decoded in full. */
const MAX_NESTING = 64;
/** Decodes exactly as protobuf-es does for valid UTF-8 (its decoder: fatal, BOM kept); invalid text never gets here. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Thrown inside the scan when the bytes are anything but plainly well-formed: the caller decodes in full then. */
class NotPlain extends Error {}
const NOT_PLAIN = new NotPlain('not a plainly well-formed payload');

/** The wire type each scalar is encoded with, unpacked. */
function scalarWireType(scalar: ScalarType): number {
  switch (scalar) {
    case ScalarType.DOUBLE:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return FIXED64;
    case ScalarType.FLOAT:
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
      return FIXED32;
    case ScalarType.STRING:
    case ScalarType.BYTES:
      return LENGTH_DELIMITED;
    case ScalarType.BOOL:
    case ScalarType.INT32:
    case ScalarType.INT64:
    case ScalarType.SINT32:
    case ScalarType.SINT64:
    case ScalarType.UINT32:
    case ScalarType.UINT64:
      return VARINT;
  }
}

/** Per message type: its fields by number, and which of them the scan reads rather than checks. */
interface Shape {
  byNumber: Map<number, DescField>;
  isContactField: boolean;
}
const shapes = new WeakMap<DescMessage, Shape>();
function shapeOf(schema: DescMessage): Shape {
  let shape = shapes.get(schema);
  if (shape === undefined) {
    shape = { byNumber: new Map(schema.fields.map((field) => [field.number, field])), isContactField: schema.typeName === ContactFieldSchema.typeName };
    shapes.set(schema, shape);
  }
  return shape;
}

/**
 * The touched paths of `bytes` read as `schema` by walking the wire format, or `undefined` when the bytes are not
 * plainly well-formed: a wire type other than the field's own, a truncated or overrunning length, a varint over 10
 * bytes, invalid UTF-8 in any string, groups, maps, a singular message or a oneof given twice (protobuf-es merges
 * those), nesting beyond {@link MAX_NESTING}. Every such case is left to the full decode, so the scan only ever
 * answers where protobuf-es decodes without error and `collect` would read the same values: the last `path` of a
 * ContactField, every non-empty element of a path list, nothing below {@link MAX_DEPTH}.
 */
export function scanTouchedFields(schema: DescMessage, bytes: Uint8Array): string[] | undefined {
  const found = new Set<string>();
  try {
    scanMessage(schema, bytes, 0, bytes.length, 0, 0, found);
  } catch (error) {
    if (error instanceof NotPlain) return undefined;
    throw error;
  }
  return [...found].sort().slice(0, MAX_FIELDS);
}

/** Reads a varint of at most 10 bytes ending before `end`; returns its end, the value in `varintValue` (low 53 bits). */
let varintValue = 0;
function varint(bytes: Uint8Array, pos: number, end: number): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw NOT_PLAIN;
    const byte = bytes[pos++]!;
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if ((byte & 0x80) === 0) {
      varintValue = value;
      return pos;
    }
  }
  throw NOT_PLAIN;
}

/** A length prefix: at most 5 bytes and within `end`; returns the start of the data (its length in `varintValue`). */
function lengthPrefix(bytes: Uint8Array, pos: number, end: number): number {
  const start = pos;
  pos = varint(bytes, pos, end);
  if (pos - start > 5 || varintValue > end - pos) throw NOT_PLAIN;
  return pos;
}

function skipScalar(wireType: number, bytes: Uint8Array, pos: number, end: number): number {
  switch (wireType) {
    case VARINT:
      return varint(bytes, pos, end);
    case FIXED64:
      if (end - pos < 8) throw NOT_PLAIN;
      return pos + 8;
    case FIXED32:
      if (end - pos < 4) throw NOT_PLAIN;
      return pos + 4;
    case LENGTH_DELIMITED: {
      const start = lengthPrefix(bytes, pos, end);
      return start + varintValue;
    }
    default:
      throw NOT_PLAIN;
  }
}

/** A string's bytes, checked as UTF-8 (protobuf-es refuses or replaces invalid text: either way, not plain). */
function checkedText(bytes: Uint8Array, start: number, end: number): void {
  for (let i = start; i < end; i++) {
    if (bytes[i]! > 0x7f) {
      if (!isUtf8(bytes.subarray(start, end))) throw NOT_PLAIN;
      return;
    }
  }
}

/**
 * Scans one message body `[pos, end)`. `depth` is collect's depth (paths are gathered while it is at most
 * MAX_DEPTH), `nesting` the message nesting for the scan's own limit.
 */
function scanMessage(schema: DescMessage, bytes: Uint8Array, pos: number, end: number, depth: number, nesting: number, found: Set<string>): void {
  if (nesting > MAX_NESTING) throw NOT_PLAIN;
  const shape = shapeOf(schema);
  const collecting = depth <= MAX_DEPTH;
  // collect stops at a ContactField: nothing below one is read.
  const childDepth = shape.isContactField ? Number.POSITIVE_INFINITY : depth + 1;
  let path: string | undefined;
  let singularMessages: number[] | undefined;
  let oneofs: string[] | undefined;
  while (pos < end) {
    const tagStart = pos;
    pos = varint(bytes, pos, end);
    const tag = varintValue;
    if (pos - tagStart > 5 || tag > 0xffffffff) throw NOT_PLAIN;
    const fieldNo = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (fieldNo === 0) throw NOT_PLAIN;
    const field = shape.byNumber.get(fieldNo);
    if (field === undefined) {
      pos = skipScalar(wireType, bytes, pos, end);
      continue;
    }
    if (field.oneof !== undefined) {
      oneofs ??= [];
      if (oneofs.includes(field.oneof.name)) throw NOT_PLAIN;
      oneofs.push(field.oneof.name);
    }
    switch (field.fieldKind) {
      case 'scalar': {
        if (wireType !== scalarWireType(field.scalar)) throw NOT_PLAIN;
        const next = skipScalar(wireType, bytes, pos, end);
        if (field.scalar === ScalarType.STRING) {
          const start = next - varintValue;
          checkedText(bytes, start, next);
          if (shape.isContactField && field.localName === 'path') path = utf8.decode(bytes.subarray(start, next));
        }
        pos = next;
        break;
      }
      case 'enum':
        if (wireType !== VARINT) throw NOT_PLAIN;
        pos = varint(bytes, pos, end);
        break;
      case 'message': {
        if (wireType !== LENGTH_DELIMITED) throw NOT_PLAIN;
        singularMessages ??= [];
        if (singularMessages.includes(fieldNo)) throw NOT_PLAIN;
        singularMessages.push(fieldNo);
        const start = lengthPrefix(bytes, pos, end);
        pos = start + varintValue;
        scanMessage(field.message, bytes, start, pos, childDepth, nesting + 1, found);
        break;
      }
      case 'list':
        pos = scanListElement(field, wireType, bytes, pos, end, childDepth, nesting, collecting && !shape.isContactField, found);
        break;
      case 'map':
        throw NOT_PLAIN;
      default: {
        const _exhaustive: never = field;
        return _exhaustive;
      }
    }
  }
  if (pos !== end) throw NOT_PLAIN;
  // A ContactField's path (the last one given, as decoding keeps) is all collect reads of it.
  if (collecting && path !== undefined && path !== '') found.add(path);
}

/** One element of a repeated field (or a packed run of them); returns where it ends. */
function scanListElement(
  field: DescField & { fieldKind: 'list' },
  wireType: number,
  bytes: Uint8Array,
  pos: number,
  end: number,
  childDepth: number,
  nesting: number,
  collecting: boolean,
  found: Set<string>,
): number {
  switch (field.listKind) {
    case 'message': {
      if (wireType !== LENGTH_DELIMITED) throw NOT_PLAIN;
      const start = lengthPrefix(bytes, pos, end);
      const next = start + varintValue;
      scanMessage(field.message, bytes, start, next, childDepth, nesting + 1, found);
      return next;
    }
    case 'enum':
    case 'scalar': {
      const elementWireType = field.listKind === 'enum' ? VARINT : scalarWireType(field.scalar);
      if (wireType === elementWireType) {
        const next = skipScalar(wireType, bytes, pos, end);
        if (field.listKind === 'scalar' && field.scalar === ScalarType.STRING) {
          const start = next - varintValue;
          checkedText(bytes, start, next);
          if (collecting && start < next && PATH_LISTS.has(field.name)) found.add(utf8.decode(bytes.subarray(start, next)));
        }
        return next;
      }
      // A packed run of numbers: its elements must fill it exactly.
      if (wireType !== LENGTH_DELIMITED || elementWireType === LENGTH_DELIMITED) throw NOT_PLAIN;
      const start = lengthPrefix(bytes, pos, end);
      const next = start + varintValue;
      for (let at = start; at < next;) at = skipScalar(elementWireType, bytes, at, next);
      return next;
    }
    default: {
      const _exhaustive: never = field;
      return _exhaustive;
    }
  }
}
