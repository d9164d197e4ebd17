import type { ActorType, EventEnvelope, LegalBasis } from '@crm/contracts';

/** Who did it, why, and on what legal ground: carried by every event, so the audit trail and register derive from it. */
export interface EventMetadata {
  actor: { id: string; type: ActorType };
  /** Processing purpose code (e.g. `customer-service`), as declared in the register of processing activities. */
  purpose: string;
  legalBasis: LegalBasis;
  correlationId: string;
  /** The event or command that caused this one; empty for a user's direct command. */
  causationId?: string;
}

/** An event about to be appended. The payload is already serialized, with its PII sealed (see @crm/crypto). */
export interface NewEvent {
  /** Fully qualified, past tense: `crm.contacts.v1.ContactCreated`. */
  type: string;
  payloadType: string;
  payload: Uint8Array;
  schemaVersion?: number;
  /** The data subject the event concerns; also the Kafka key, so one subject's events stay in order. */
  subjectId?: string;
  /** The subject key that sealed PII inside the payload; empty when the payload holds none. */
  keyId?: string;
}

export interface RecordedEvent {
  globalPosition: bigint;
  /** The committing transaction's id; with globalPosition it orders `readAll` without gaps. */
  txId: bigint;
  streamId: string;
  streamVersion: bigint;
  envelope: EventEnvelope;
  envelopeBytes: Uint8Array;
}

/** `no_stream`: the stream must not exist; a number: the stream must be at exactly that version; `any`: no check. */
export type ExpectedVersion = bigint | 'no_stream' | 'any';

/** One stream's part of a multi-stream append (`EventStore.appendMany`): `expected` 0n means the stream is new. */
export interface StreamAppend {
  streamId: string;
  expected: bigint;
  events: readonly NewEvent[];
  metadata: EventMetadata;
}

export interface AppendResult {
  streamId: string;
  nextExpectedVersion: bigint;
  eventIds: string[];
}

/** Where `readAll` resumes: the (transaction, position) pair of the last event read. */
export interface AllPosition {
  txId: bigint;
  globalPosition: bigint;
}

export const START: AllPosition = { txId: 0n, globalPosition: 0n };
