import {
  decodePayload,
  MfaEnrolledSchema,
  MfaMethod,
  MfaResetSchema,
  PasswordChangedSchema,
  PasswordResetSchema,
  RolesAssignedSchema,
  UserDeletedSchema,
  UserDisabledSchema,
  UserEnabledSchema,
  UserRegisteredSchema,
  type EventEnvelope,
} from '@crm/contracts';
import { sealedFieldFromProto, sealedFieldToProto, type FieldCipher } from '@crm/crypto';
import type { EventCodec } from '@crm/eventstore';
import type { AccountEvent } from './account.decider.js';
import { identityEvent } from './identity.events.js';

/** Bound fields (AAD) of a staff member's sealed personal data, in events and in the account row alike. */
export const ACCOUNT_EMAIL_FIELD = 'identity.account.email';
export const ACCOUNT_NAME_FIELD = 'identity.account.displayName';

/** Account events on the wire: e-mail and name sealed under the staff member's own key, so erasure reaches them. */
export function accountCodec(cipher: FieldCipher): EventCodec<AccountEvent> {
  return {
    async encode(event) {
      switch (event.type) {
        case 'UserRegistered': {
          const email = await cipher.seal(event.userId, ACCOUNT_EMAIL_FIELD, event.email);
          const displayName = await cipher.seal(event.userId, ACCOUNT_NAME_FIELD, event.displayName);
          const data = {
            userId: event.userId,
            email: sealedFieldToProto(email),
            displayName: sealedFieldToProto(displayName),
            roles: event.roles,
            passwordChangeRequired: event.passwordChangeRequired,
          };
          return identityEvent(UserRegisteredSchema, data, event.userId, email.keyId);
        }
        case 'RolesAssigned':
          return identityEvent(RolesAssignedSchema, { userId: event.userId, roles: event.roles }, event.userId);
        case 'PasswordChanged':
          return identityEvent(PasswordChangedSchema, { userId: event.userId }, event.userId);
        case 'PasswordReset':
          return identityEvent(PasswordResetSchema, { userId: event.userId }, event.userId);
        case 'MfaEnrolled':
          return identityEvent(MfaEnrolledSchema, { userId: event.userId, method: MfaMethod.TOTP }, event.userId);
        case 'MfaReset':
          return identityEvent(MfaResetSchema, { userId: event.userId }, event.userId);
        case 'UserDisabled':
          return identityEvent(UserDisabledSchema, { userId: event.userId }, event.userId);
        case 'UserEnabled':
          return identityEvent(UserEnabledSchema, { userId: event.userId }, event.userId);
        case 'UserDeleted':
          return identityEvent(UserDeletedSchema, { userId: event.userId }, event.userId);
        default: {
          const _exhaustive: never = event;
          return _exhaustive;
        }
      }
    },

    async decode(envelope: EventEnvelope): Promise<AccountEvent> {
      switch (envelope.payloadType) {
        case UserRegisteredSchema.typeName: {
          const message = decodePayload(envelope, UserRegisteredSchema);
          if (message.email === undefined || message.displayName === undefined) throw new Error('UserRegistered without its sealed fields');
          const email = await cipher.openText(message.userId, ACCOUNT_EMAIL_FIELD, sealedFieldFromProto(message.email));
          const displayName = await cipher.openText(message.userId, ACCOUNT_NAME_FIELD, sealedFieldFromProto(message.displayName));
          return {
            type: 'UserRegistered',
            userId: message.userId,
            email,
            displayName,
            roles: message.roles,
            passwordChangeRequired: message.passwordChangeRequired,
          };
        }
        case RolesAssignedSchema.typeName: {
          const message = decodePayload(envelope, RolesAssignedSchema);
          return { type: 'RolesAssigned', userId: message.userId, roles: message.roles };
        }
        case PasswordChangedSchema.typeName:
          return { type: 'PasswordChanged', userId: decodePayload(envelope, PasswordChangedSchema).userId };
        case PasswordResetSchema.typeName:
          return { type: 'PasswordReset', userId: decodePayload(envelope, PasswordResetSchema).userId };
        case MfaEnrolledSchema.typeName:
          return { type: 'MfaEnrolled', userId: decodePayload(envelope, MfaEnrolledSchema).userId };
        case MfaResetSchema.typeName:
          return { type: 'MfaReset', userId: decodePayload(envelope, MfaResetSchema).userId };
        case UserDisabledSchema.typeName:
          return { type: 'UserDisabled', userId: decodePayload(envelope, UserDisabledSchema).userId };
        case UserEnabledSchema.typeName:
          return { type: 'UserEnabled', userId: decodePayload(envelope, UserEnabledSchema).userId };
        case UserDeletedSchema.typeName:
          return { type: 'UserDeleted', userId: decodePayload(envelope, UserDeletedSchema).userId };
        default:
          throw new Error(`not an account event: ${envelope.payloadType}`);
      }
    },
  };
}
