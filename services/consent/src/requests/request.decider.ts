import type { Decider } from '@crm/eventstore';
import type { ConsentChannel } from '../consents/consent.decider.js';
import { decideCompleteRequest } from './complete-request/complete-request.decision.js';
import { decideMarkOverdue, decideRemindDueSoon } from './deadline-jobs/deadline-jobs.decision.js';
import { decideExtendRequest } from './extend-request/extend-request.decision.js';
import { decideFileRequest } from './file-request/file-request.decision.js';
import { decideRefuseRequest } from './refuse-request/refuse-request.decision.js';
import type { RequestType, VerificationMethod } from './request.streams.js';
import { decideStartRequest } from './start-request/start-request.decision.js';
import { decideVerifyIdentity } from './verify-identity/verify-identity.decision.js';

// Commands carry everything the decisions need: the time (`at`) is the service's injected clock, read once by the
// commands service; the actor is the token's subject (or the service itself, for the deadline jobs). Free texts
// (channel reference, evidence, reasons, completion reference) are personal data: sealed in events, never in the
// state, an error or a log.

export interface FileRequest {
  type: 'FileRequest';
  requestId: string;
  contactId: string;
  requestType: RequestType;
  channel: ConsentChannel;
  channelReference?: string;
  receivedAt: string;
  actorId: string;
  at: string;
}
export interface VerifyIdentity {
  type: 'VerifyIdentity';
  requestId: string;
  contactId: string;
  method: VerificationMethod;
  evidence: string;
  actorId: string;
  at: string;
}
export interface ExtendRequest {
  type: 'ExtendRequest';
  requestId: string;
  contactId: string;
  months: number;
  reason: string;
  actorId: string;
  at: string;
}
export interface StartRequest {
  type: 'StartRequest';
  requestId: string;
  contactId: string;
  actorId: string;
  at: string;
}
export interface CompleteRequest {
  type: 'CompleteRequest';
  requestId: string;
  contactId: string;
  reference?: string;
  /**
   * Seals nothing (no reference), so the contact's key is not asked for: the completion of an erasure (the key is
   * destroyed by then), and a completion without reference that the decision refuses anyway (closed, unverified), so
   * completing an erased contact's completed request again is REQUEST_ALREADY_CLOSED. Every other command about an
   * erased contact is REQUEST_CONTACT_ERASED.
   */
  withoutKey?: true;
  actorId: string;
  at: string;
}
export interface RefuseRequest {
  type: 'RefuseRequest';
  requestId: string;
  contactId: string;
  reason: string;
  actorId: string;
  at: string;
}
/** The deadline job's: mark an open request past its due date (once). */
export interface MarkOverdue {
  type: 'MarkOverdue';
  requestId: string;
  contactId: string;
  actorId: string;
  at: string;
}
/** The deadline job's: remind of an open request whose due date is near (once per due date). */
export interface RemindDueSoon {
  type: 'RemindDueSoon';
  requestId: string;
  contactId: string;
  actorId: string;
  at: string;
}
export type RequestCommand = FileRequest | VerifyIdentity | ExtendRequest | StartRequest | CompleteRequest | RefuseRequest | MarkOverdue | RemindDueSoon;

export interface RequestFiled {
  type: 'RequestFiled';
  requestId: string;
  contactId: string;
  requestType: RequestType;
  channel: ConsentChannel;
  channelReference?: string;
  receivedAt: string;
  dueAt: string;
  actorId: string;
  at: string;
}
export interface IdentityVerified {
  type: 'IdentityVerified';
  requestId: string;
  contactId: string;
  method: VerificationMethod;
  evidence: string;
  actorId: string;
  at: string;
}
export interface RequestExtended {
  type: 'RequestExtended';
  requestId: string;
  contactId: string;
  months: number;
  totalMonths: number;
  reason: string;
  dueAt: string;
  actorId: string;
  at: string;
}
export interface RequestStarted {
  type: 'RequestStarted';
  requestId: string;
  contactId: string;
  actorId: string;
  at: string;
}
export interface RequestCompleted {
  type: 'RequestCompleted';
  requestId: string;
  contactId: string;
  reference?: string;
  actorId: string;
  at: string;
}
export interface RequestRefused {
  type: 'RequestRefused';
  requestId: string;
  contactId: string;
  reason: string;
  actorId: string;
  at: string;
}
export interface RequestDueSoon {
  type: 'RequestDueSoon';
  requestId: string;
  contactId: string;
  dueAt: string;
  actorId: string;
  at: string;
}
export interface RequestOverdue {
  type: 'RequestOverdue';
  requestId: string;
  contactId: string;
  dueAt: string;
  actorId: string;
  at: string;
}
export type RequestEvent =
  RequestFiled | IdentityVerified | RequestExtended | RequestStarted | RequestCompleted | RequestRefused | RequestDueSoon | RequestOverdue;

export const OPEN_STATUSES = ['received', 'verified', 'in-progress'] as const;
export type RequestStatus = (typeof OPEN_STATUSES)[number] | 'completed' | 'refused';

/** A filed request. PII-free: types, statuses, methods, times and actor ids; the free texts stay sealed in the events. */
export interface FiledRequest {
  status: RequestStatus;
  requestId: string;
  contactId: string;
  requestType: RequestType;
  channel: ConsentChannel;
  receivedAt: string;
  /** The end of the period, extensions included. */
  dueAt: string;
  /** Months added by extensions so far (0–2). */
  extensionMonths: number;
  filedAt: string;
  filedBy: string;
  verifiedAt?: string;
  verifiedBy?: string;
  verificationMethod?: VerificationMethod;
  extendedAt?: string;
  startedAt?: string;
  startedBy?: string;
  completedAt?: string;
  completedBy?: string;
  refusedAt?: string;
  refusedBy?: string;
  /** When the deadline job marked it overdue. */
  overdueMarkedAt?: string;
  /** The due date the deadline job last reminded of (a new one after an extension is reminded again). */
  dueSoonRemindedFor?: string;
}

/** No request before its RequestFiled. */
export type RequestState = { status: 'none' } | FiledRequest;

export const isOpen = (state: RequestState): state is FiledRequest => (OPEN_STATUSES as readonly string[]).includes(state.status);

/** The lifecycle of one data-subject request: received → verified → in progress → completed | refused. */
export const requestDecider: Decider<RequestCommand, RequestState, RequestEvent> = {
  initialState: () => ({ status: 'none' }),

  decide(command, state) {
    switch (command.type) {
      case 'FileRequest':
        return decideFileRequest(command, state);
      case 'VerifyIdentity':
        return decideVerifyIdentity(command, state);
      case 'ExtendRequest':
        return decideExtendRequest(command, state);
      case 'StartRequest':
        return decideStartRequest(command, state);
      case 'CompleteRequest':
        return decideCompleteRequest(command, state);
      case 'RefuseRequest':
        return decideRefuseRequest(command, state);
      case 'MarkOverdue':
        return decideMarkOverdue(command, state);
      case 'RemindDueSoon':
        return decideRemindDueSoon(command, state);
      default: {
        const _exhaustive: never = command;
        return _exhaustive;
      }
    }
  },

  evolve(state, event) {
    if (event.type === 'RequestFiled') {
      return {
        status: 'received',
        requestId: event.requestId,
        contactId: event.contactId,
        requestType: event.requestType,
        channel: event.channel,
        receivedAt: event.receivedAt,
        dueAt: event.dueAt,
        extensionMonths: 0,
        filedAt: event.at,
        filedBy: event.actorId,
      };
    }
    if (state.status === 'none') return state;
    switch (event.type) {
      case 'IdentityVerified':
        return { ...state, status: 'verified', verifiedAt: event.at, verifiedBy: event.actorId, verificationMethod: event.method };
      case 'RequestExtended':
        return { ...state, dueAt: event.dueAt, extensionMonths: event.totalMonths, extendedAt: event.at };
      case 'RequestStarted':
        return { ...state, status: 'in-progress', startedAt: event.at, startedBy: event.actorId };
      case 'RequestCompleted':
        return { ...state, status: 'completed', completedAt: event.at, completedBy: event.actorId };
      case 'RequestRefused':
        return { ...state, status: 'refused', refusedAt: event.at, refusedBy: event.actorId };
      case 'RequestDueSoon':
        return { ...state, dueSoonRemindedFor: event.dueAt };
      case 'RequestOverdue':
        return { ...state, overdueMarkedAt: event.at };
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  },
};
