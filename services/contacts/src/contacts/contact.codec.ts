import {
  ContactCreatedSchema,
  ContactErasedSchema,
  ContactFieldSchema,
  ContactRectifiedSchema,
  DataCategory,
  decodePayload,
  ProcessingRestrictedSchema,
  RestrictionLiftedSchema,
  RestrictionReason as WireReason,
  TransactionAddedSchema,
  create,
  type ContactField,
  type EventEnvelope,
} from '@crm/contracts';
import { sealedFieldFromProto, sealedFieldToProto, type FieldCipher } from '@crm/crypto';
import { protoEvent, type EventCodec } from '@crm/eventstore';
import { categoryOf, RECTIFIABLE_UNITS, setAt, valueAt, type ContactData, type ContactPatch } from '../contact-schema/index.js';
import type { ContactEvent, RestrictionReason } from './contact.decider.js';

const CATEGORY: Record<string, DataCategory> = {
  identity: DataCategory.IDENTITY,
  contact: DataCategory.CONTACT,
  financial: DataCategory.FINANCIAL,
  preference: DataCategory.PREFERENCE,
  special: DataCategory.SPECIAL,
};

const REASON: Record<RestrictionReason, WireReason> = {
  'accuracy-contested': WireReason.ACCURACY_CONTESTED,
  'unlawful-processing': WireReason.UNLAWFUL_PROCESSING,
  'legal-claims': WireReason.LEGAL_CLAIMS,
  'objection-pending': WireReason.OBJECTION_PENDING,
};

function categoryOfUnit(unit: string): DataCategory {
  const category = categoryOf(unit) ?? categoryOf(`${unit}[0]`) ?? categoryOf(`${unit}[0].street`);
  return category === undefined ? DataCategory.UNSPECIFIED : CATEGORY[category]!;
}

/**
 * Contact events on the wire (`crm.contacts.v1`). Each rectifiable unit is sealed on its own, bound to the contact
 * and to the unit's path, so a value cannot be moved to another person or field, and paths and categories stay
 * readable for analysts and the audit trail after the contact's key is shredded.
 */
export function contactCodec(cipher: FieldCipher): EventCodec<ContactEvent> {
  const seal = async (contactId: string, path: string, value: unknown): Promise<ContactField> =>
    create(ContactFieldSchema, {
      path,
      category: categoryOfUnit(path),
      value: sealedFieldToProto(await cipher.seal(contactId, `contacts.${path}`, JSON.stringify(value))),
    });
  const open = async (contactId: string, field: ContactField | undefined): Promise<unknown> =>
    field?.value === undefined ? undefined : JSON.parse(await cipher.openText(contactId, `contacts.${field.path}`, sealedFieldFromProto(field.value)));
  const sealUnits = (contactId: string, data: object, present: (value: unknown) => boolean) =>
    Promise.all(RECTIFIABLE_UNITS.filter((unit) => present(valueAt(data, unit))).map((unit) => seal(contactId, unit, valueAt(data, unit))));

  return {
    async encode(event) {
      switch (event.type) {
        case 'ContactCreated': {
          const fields = await sealUnits(event.contactId, event.data, (v) => v !== undefined);
          return protoEvent(ContactCreatedSchema, { contactId: event.contactId, fields }, event.contactId, fields[0]?.value?.keyId);
        }
        case 'ContactRectified': {
          const changed = await sealUnits(event.contactId, event.changes, (v) => v !== undefined && v !== null);
          const removed = RECTIFIABLE_UNITS.filter((unit) => valueAt(event.changes, unit) === null);
          return protoEvent(ContactRectifiedSchema, { contactId: event.contactId, changed, removed }, event.contactId, changed[0]?.value?.keyId);
        }
        case 'TransactionAdded': {
          const description = await seal(event.contactId, 'transactions.description', event.description);
          const occurredAt = await seal(event.contactId, 'transactions.occurredAt', event.occurredAt);
          const data = {
            contactId: event.contactId,
            transactionId: event.transactionId,
            amountCents: event.amountCents,
            currency: event.currency,
            description,
            occurredAt,
          };
          return protoEvent(TransactionAddedSchema, data, event.contactId, description.value?.keyId);
        }
        case 'ProcessingRestricted':
          return protoEvent(ProcessingRestrictedSchema, { contactId: event.contactId, reason: REASON[event.reason] }, event.contactId);
        case 'RestrictionLifted':
          return protoEvent(RestrictionLiftedSchema, { contactId: event.contactId }, event.contactId);
        case 'ContactErased':
          return protoEvent(ContactErasedSchema, { contactId: event.contactId }, event.contactId);
        default: {
          const _exhaustive: never = event;
          return _exhaustive;
        }
      }
    },

    async decode(envelope: EventEnvelope) {
      const contactId = envelope.subjectId;
      switch (envelope.payloadType) {
        case ContactCreatedSchema.typeName: {
          const message = decodePayload(envelope, ContactCreatedSchema);
          const data: Record<string, unknown> = {};
          for (const field of message.fields) setAt(data, field.path, await open(contactId, field));
          return { type: 'ContactCreated', contactId: message.contactId, data: data as ContactData };
        }
        case ContactRectifiedSchema.typeName: {
          const message = decodePayload(envelope, ContactRectifiedSchema);
          const changes: Record<string, unknown> = {};
          for (const field of message.changed) setAt(changes, field.path, await open(contactId, field));
          for (const path of message.removed) setAt(changes, path, null);
          return { type: 'ContactRectified', contactId: message.contactId, changes: changes as ContactPatch };
        }
        case TransactionAddedSchema.typeName: {
          const message = decodePayload(envelope, TransactionAddedSchema);
          return {
            type: 'TransactionAdded',
            contactId: message.contactId,
            transactionId: message.transactionId,
            amountCents: message.amountCents,
            currency: message.currency,
            description: (await open(contactId, message.description)) as string,
            occurredAt: (await open(contactId, message.occurredAt)) as string,
          };
        }
        case ProcessingRestrictedSchema.typeName: {
          const message = decodePayload(envelope, ProcessingRestrictedSchema);
          const reason = (Object.keys(REASON) as RestrictionReason[]).find((key) => REASON[key] === message.reason) ?? 'objection-pending';
          return { type: 'ProcessingRestricted', contactId: message.contactId, reason };
        }
        case RestrictionLiftedSchema.typeName:
          return { type: 'RestrictionLifted', contactId: decodePayload(envelope, RestrictionLiftedSchema).contactId };
        case ContactErasedSchema.typeName:
          return { type: 'ContactErased', contactId: decodePayload(envelope, ContactErasedSchema).contactId };
        default:
          throw new Error(`not a contact event: ${envelope.payloadType}`);
      }
    },
  };
}
