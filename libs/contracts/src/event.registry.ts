import { createRegistry, type Registry } from '@bufbuild/protobuf';
import {
  AuditTrailQueriedSchema,
  AuditVerificationFailedSchema,
  ProcessingActivityRecordedSchema,
  ProcessorRecordedSchema,
} from './gen/crm/audit/v1/audit_events_pb.js';
import { ContactProfileSchema, PurchaseTotalSchema } from './gen/crm/analytics/v1/contact_profile_pb.js';
import { SignedTreeHeadSchema } from './gen/crm/audit/v1/tree_head_pb.js';
import { MirrorRecoveredSchema, MirrorStalledSchema, RestoreDrillCompletedSchema } from './gen/crm/backup/v1/backup_events_pb.js';
import { SealedFieldSchema } from './gen/crm/crypto/v1/sealed_field_pb.js';
import { DeadLetterSchema } from './gen/crm/deadletter/v1/dead_letter_pb.js';
import { ActorSchema } from './gen/crm/events/v1/actor_pb.js';
import { EventEnvelopeSchema } from './gen/crm/events/v1/event_envelope_pb.js';
import { KekRotatedSchema } from './gen/crm/keys/v1/kek_rotated_pb.js';
import { SubjectKeyShreddedSchema } from './gen/crm/keys/v1/subject_key_shredded_pb.js';
import { SampleRecordedSchema } from './gen/crm/testing/v1/sample_recorded_pb.js';
import { LoginFailedSchema, LoginSucceededSchema, MfaUsedSchema, PermissionDeniedSchema, SessionRevokedSchema } from './gen/crm/identity/v1/auth_events_pb.js';
import { RoleCreatedSchema } from './gen/crm/identity/v1/role_events_pb.js';
import {
  ContactCreatedSchema,
  ContactErasedSchema,
  ContactFieldSchema,
  ContactRectifiedSchema,
  ProcessingRestrictedSchema,
  RestrictionLiftedSchema,
  TransactionAddedSchema,
} from './gen/crm/contacts/v1/contact_events_pb.js';
import {
  ConsentConfirmationRequestedSchema,
  ConsentGivenSchema,
  ConsentWithdrawnSchema,
  ObjectionRecordedSchema,
} from './gen/crm/consent/v1/consent_events_pb.js';
import { ConsentsViewedSchema, SubjectRequestPackageDownloadedSchema } from './gen/crm/consent/v1/consent_access_pb.js';
import { PrivacyNoticeDraftedSchema, PrivacyNoticePublishedSchema, PrivacyNoticePurposeSchema } from './gen/crm/consent/v1/privacy_notice_events_pb.js';
import {
  SubjectRequestCompletedSchema,
  SubjectRequestDueSoonSchema,
  SubjectRequestExtendedSchema,
  SubjectRequestFiledSchema,
  SubjectRequestIdentityVerifiedSchema,
  SubjectRequestOverdueSchema,
  SubjectRequestRefusedSchema,
  SubjectRequestStartedSchema,
} from './gen/crm/consent/v1/request_events_pb.js';
import {
  ContactDataAccessedSchema,
  ContactProcessingRefusedSchema,
  ContactsExportedSchema,
  ContactsImportedSchema,
} from './gen/crm/contacts/v1/contact_processing_pb.js';
import { LegalHoldLiftedSchema, LegalHoldSetSchema, RetentionAppliedSchema, RetentionPolicyRecordedSchema } from './gen/crm/contacts/v1/retention_events_pb.js';
import {
  MfaEnrolledSchema,
  MfaResetSchema,
  PasswordChangedSchema,
  PasswordResetSchema,
  RolesAssignedSchema,
  UserDeletedSchema,
  UserDisabledSchema,
  UserEnabledSchema,
  UserRegisteredSchema,
} from './gen/crm/identity/v1/user_events_pb.js';

/**
 * Every message schema of `proto/`, by fully-qualified name, so a consumer can decode an envelope's `payload` by
 * its `payload_type` without a switch over every event. A new `.proto` message must be added here; the unit spec
 * fails when a generated message is missing.
 */
export const eventRegistry: Registry = createRegistry(
  EventEnvelopeSchema,
  ActorSchema,
  SealedFieldSchema,
  RestoreDrillCompletedSchema,
  MirrorStalledSchema,
  MirrorRecoveredSchema,
  SubjectKeyShreddedSchema,
  KekRotatedSchema,
  SampleRecordedSchema,
  DeadLetterSchema,
  UserRegisteredSchema,
  RolesAssignedSchema,
  PasswordChangedSchema,
  PasswordResetSchema,
  MfaEnrolledSchema,
  MfaResetSchema,
  UserDisabledSchema,
  UserEnabledSchema,
  UserDeletedSchema,
  LoginSucceededSchema,
  LoginFailedSchema,
  MfaUsedSchema,
  SessionRevokedSchema,
  PermissionDeniedSchema,
  RoleCreatedSchema,
  ContactFieldSchema,
  ContactCreatedSchema,
  ContactRectifiedSchema,
  TransactionAddedSchema,
  ProcessingRestrictedSchema,
  RestrictionLiftedSchema,
  ContactErasedSchema,
  ContactDataAccessedSchema,
  ContactProcessingRefusedSchema,
  ContactsExportedSchema,
  ContactsImportedSchema,
  RetentionPolicyRecordedSchema,
  LegalHoldSetSchema,
  LegalHoldLiftedSchema,
  RetentionAppliedSchema,
  ConsentGivenSchema,
  ConsentConfirmationRequestedSchema,
  ConsentWithdrawnSchema,
  ObjectionRecordedSchema,
  ConsentsViewedSchema,
  SubjectRequestPackageDownloadedSchema,
  PrivacyNoticePurposeSchema,
  PrivacyNoticeDraftedSchema,
  PrivacyNoticePublishedSchema,
  SubjectRequestFiledSchema,
  SubjectRequestIdentityVerifiedSchema,
  SubjectRequestExtendedSchema,
  SubjectRequestStartedSchema,
  SubjectRequestCompletedSchema,
  SubjectRequestRefusedSchema,
  SubjectRequestDueSoonSchema,
  SubjectRequestOverdueSchema,
  SignedTreeHeadSchema,
  AuditTrailQueriedSchema,
  AuditVerificationFailedSchema,
  ProcessingActivityRecordedSchema,
  ProcessorRecordedSchema,
  ContactProfileSchema,
  PurchaseTotalSchema,
);
