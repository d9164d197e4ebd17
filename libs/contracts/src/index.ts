// The platform's event contracts: schemas generated from proto/ (never edited by hand, see generate.sh) and the
// few helpers every producer and consumer needs. Build and encode messages with protobuf-es v2:
// `create(EventEnvelopeSchema, {...})`, `toBinary(...)`, `fromBinary(...)`.
export { create, fromBinary, toBinary, type DescMessage, type MessageInitShape } from '@bufbuild/protobuf';
export { timestampDate as dateFromTimestamp, timestampFromDate } from '@bufbuild/protobuf/wkt';

export { ContractError, type ContractErrorCode } from './contract.error.js';
export { decodeEnvelope, decodePayload } from './envelope.codec.js';
export { eventRegistry } from './event.registry.js';

export { ContactProfileSchema, PurchaseTotalSchema, type ContactProfile, type PurchaseTotal } from './gen/crm/analytics/v1/contact_profile_pb.js';
export { SealAlgorithm, SealAlgorithmSchema, SealedFieldSchema, type SealedField } from './gen/crm/crypto/v1/sealed_field_pb.js';
export { DeadLetterSchema, type DeadLetter } from './gen/crm/deadletter/v1/dead_letter_pb.js';
export { ActorSchema, ActorType, ActorTypeSchema, type Actor } from './gen/crm/events/v1/actor_pb.js';
export { EventEnvelopeSchema, type EventEnvelope } from './gen/crm/events/v1/event_envelope_pb.js';
export { LegalBasis, LegalBasisSchema } from './gen/crm/events/v1/legal_basis_pb.js';
export { KekRotatedSchema, type KekRotated } from './gen/crm/keys/v1/kek_rotated_pb.js';
export { ShredReason, ShredReasonSchema, SubjectKeyShreddedSchema, type SubjectKeyShredded } from './gen/crm/keys/v1/subject_key_shredded_pb.js';
export { SampleRecordedSchema, type SampleRecorded } from './gen/crm/testing/v1/sample_recorded_pb.js';
export {
  LoginFailedSchema,
  LoginFailureReason,
  LoginSucceededSchema,
  MfaUsedSchema,
  PermissionDeniedSchema,
  SessionRevocationReason,
  SessionRevokedSchema,
  type LoginFailed,
  type LoginSucceeded,
  type MfaUsed,
  type PermissionDenied,
  type SessionRevoked,
} from './gen/crm/identity/v1/auth_events_pb.js';
export { RoleCreatedSchema, type RoleCreated } from './gen/crm/identity/v1/role_events_pb.js';
export {
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
  type MfaEnrolled,
  type MfaReset,
  type PasswordChanged,
  type PasswordReset,
  type RolesAssigned,
  type UserRegistered,
} from './gen/crm/identity/v1/user_events_pb.js';
export {
  ContactCreatedSchema,
  ContactErasedSchema,
  ContactFieldSchema,
  ContactRectifiedSchema,
  DataCategory,
  ProcessingRestrictedSchema,
  RestrictionLiftedSchema,
  RestrictionReason,
  TransactionAddedSchema,
  type ContactCreated as ContactCreatedMessage,
  type ContactField,
} from './gen/crm/contacts/v1/contact_events_pb.js';
export {
  AccessChannel,
  ContactDataAccessedSchema,
  ContactProcessingRefusedSchema,
  ContactsExportedSchema,
  ContactsImportedSchema,
  ExportFormat,
  ProcessingRefusalReason,
  type ContactDataAccessed,
  type ContactProcessingRefused,
  type ContactsExported,
  type ContactsImported,
} from './gen/crm/contacts/v1/contact_processing_pb.js';
export {
  LegalHoldLiftedSchema,
  LegalHoldSetSchema,
  RetentionAction,
  RetentionAppliedSchema,
  RetentionPolicyRecordedSchema,
  type RetentionApplied,
} from './gen/crm/contacts/v1/retention_events_pb.js';
export {
  ConsentChannel,
  ConsentConfirmationRequestedSchema,
  ConsentGivenSchema,
  ConsentWithdrawnSchema,
  ObjectionRecordedSchema,
  type ConsentConfirmationRequested as ConsentConfirmationRequestedMessage,
  type ConsentGiven as ConsentGivenMessage,
  type ConsentWithdrawn as ConsentWithdrawnMessage,
  type ObjectionRecorded as ObjectionRecordedMessage,
} from './gen/crm/consent/v1/consent_events_pb.js';
export {
  ConsentsViewedSchema,
  SubjectRequestPackageDownloadedSchema,
  type ConsentsViewed,
  type SubjectRequestPackageDownloaded,
} from './gen/crm/consent/v1/consent_access_pb.js';
export {
  PrivacyNoticeDraftedSchema,
  PrivacyNoticePublishedSchema,
  PrivacyNoticePurposeSchema,
  type PrivacyNoticeDrafted as PrivacyNoticeDraftedMessage,
  type PrivacyNoticePublished as PrivacyNoticePublishedMessage,
} from './gen/crm/consent/v1/privacy_notice_events_pb.js';
export {
  SubjectRequestType,
  SubjectRequestFiledSchema,
  SubjectRequestIdentityVerifiedSchema,
  SubjectRequestExtendedSchema,
  SubjectRequestStartedSchema,
  SubjectRequestCompletedSchema,
  SubjectRequestRefusedSchema,
  SubjectRequestDueSoonSchema,
  SubjectRequestOverdueSchema,
} from './gen/crm/consent/v1/request_events_pb.js';
export { SignatureAlgorithm, SignedTreeHeadSchema, type SignedTreeHead } from './gen/crm/audit/v1/tree_head_pb.js';
export {
  AuditTrailQueriedSchema,
  AuditVerificationFailedSchema,
  ProcessingActivityRecordedSchema,
  ProcessorRecordedSchema,
  type AuditTrailQueried,
  type AuditVerificationFailed,
  type ProcessingActivityRecorded,
  type ProcessorRecorded,
} from './gen/crm/audit/v1/audit_events_pb.js';
export {
  MirrorRecoveredSchema,
  MirrorStalledSchema,
  RestoreDrillCompletedSchema,
  type MirrorRecovered,
  type MirrorStalled,
  type RestoreDrillCompleted,
} from './gen/crm/backup/v1/backup_events_pb.js';
