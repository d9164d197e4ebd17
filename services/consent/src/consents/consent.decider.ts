import type { Decider } from '@crm/eventstore';
import { decideGiveConsent } from './give-consent/give-consent.decision.js';
import { decideRecordObjection } from './record-objection/record-objection.decision.js';
import { decideWithdrawConsent } from './withdraw-consent/withdraw-consent.decision.js';

/** How a consent, a withdrawal or an objection reached the controller. */
export const CONSENT_CHANNELS = ['web-form', 'email', 'phone', 'sms', 'in-person', 'paper'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];

/** What kind of proof the evidence is. */
export const EVIDENCE_KINDS = ['form', 'double-opt-in', 'recording', 'document', 'other'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/**
 * The proof of a consent (a form submission id, a double opt-in confirmation, a call recording reference). Personal
 * data: sealed under the contact's key in events and read models, never in an error or a log.
 */
export interface Evidence {
  kind: EvidenceKind;
  reference: string;
}

// Commands carry everything the decision needs: the time comes from the service's injected clock and the actor from
// the caller's token, both read by the handler, so the decisions stay pure. Purposes are checked against the purpose
// catalogue (static data) in the decisions.
/**
 * What the handler found under the notice version a consent names (read before deciding: a published version never
 * changes, so nothing can make the answer stale).
 */
export type NoticeStanding = { status: 'unknown' } | { status: 'draft' } | { status: 'published'; contentSha256: string };

export interface GiveConsent {
  type: 'GiveConsent';
  contactId: string;
  purpose: string;
  noticeVersion: string;
  notice: NoticeStanding;
  channel: ConsentChannel;
  evidence: Evidence;
  actorId: string;
  at: string;
}
export interface WithdrawConsent {
  type: 'WithdrawConsent';
  contactId: string;
  purpose: string;
  channel?: ConsentChannel;
  actorId: string;
  at: string;
}
export interface RecordObjection {
  type: 'RecordObjection';
  contactId: string;
  purpose: string;
  channel?: ConsentChannel;
  actorId: string;
  at: string;
}
export type ConsentCommand = GiveConsent | WithdrawConsent | RecordObjection;

// The actor of each event travels in the envelope (its `actor`), and is read back from there.
export interface ConsentGiven {
  type: 'ConsentGiven';
  contactId: string;
  purpose: string;
  catalogueVersion: number;
  noticeVersion: string;
  /** The content hash of the published notice version: the exact text consented against. */
  noticeContentSha256: string;
  channel: ConsentChannel;
  evidence: Evidence;
  actorId: string;
  at: string;
}
export interface ConsentWithdrawn {
  type: 'ConsentWithdrawn';
  contactId: string;
  purpose: string;
  channel?: ConsentChannel;
  actorId: string;
  at: string;
}
export interface ObjectionRecorded {
  type: 'ObjectionRecorded';
  contactId: string;
  purpose: string;
  catalogueVersion: number;
  channel?: ConsentChannel;
  actorId: string;
  at: string;
}
export type ConsentEvent = ConsentGiven | ConsentWithdrawn | ObjectionRecorded;

/** The current consent for one purpose. PII-free: the evidence stays in the history (sealed), not in the state. */
export interface PurposeConsent {
  status: 'given' | 'withdrawn';
  catalogueVersion: number;
  noticeVersion: string;
  /** Absent on consents recorded before notice versions were checked. */
  noticeContentSha256?: string;
  channel: ConsentChannel;
  givenAt: string;
  givenBy: string;
  withdrawnAt?: string;
  withdrawnBy?: string;
  withdrawalChannel?: ConsentChannel;
}

export interface Objection {
  catalogueVersion: number;
  channel?: ConsentChannel;
  recordedAt: string;
  recordedBy: string;
}

/** A contact's consents and objections, by purpose code. */
export interface ConsentState {
  consents: Readonly<Record<string, PurposeConsent>>;
  objections: Readonly<Record<string, Objection>>;
}

/** The consent aggregate of one contact: each command is decided in its use case's folder. */
export const consentDecider: Decider<ConsentCommand, ConsentState, ConsentEvent> = {
  initialState: () => ({ consents: {}, objections: {} }),

  decide(command, state) {
    switch (command.type) {
      case 'GiveConsent':
        return decideGiveConsent(command, state);
      case 'WithdrawConsent':
        return decideWithdrawConsent(command, state);
      case 'RecordObjection':
        return decideRecordObjection(command, state);
      default: {
        const _exhaustive: never = command;
        return _exhaustive;
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'ConsentGiven': {
        const consent: PurposeConsent = {
          status: 'given',
          catalogueVersion: event.catalogueVersion,
          noticeVersion: event.noticeVersion,
          ...(event.noticeContentSha256 === '' ? {} : { noticeContentSha256: event.noticeContentSha256 }),
          channel: event.channel,
          givenAt: event.at,
          givenBy: event.actorId,
        };
        return { ...state, consents: { ...state.consents, [event.purpose]: consent } };
      }
      case 'ConsentWithdrawn': {
        const given = state.consents[event.purpose];
        if (given === undefined) return state;
        const withdrawn: PurposeConsent = {
          ...given,
          status: 'withdrawn',
          withdrawnAt: event.at,
          withdrawnBy: event.actorId,
          ...(event.channel === undefined ? {} : { withdrawalChannel: event.channel }),
        };
        return { ...state, consents: { ...state.consents, [event.purpose]: withdrawn } };
      }
      case 'ObjectionRecorded': {
        const objection: Objection = {
          catalogueVersion: event.catalogueVersion,
          ...(event.channel === undefined ? {} : { channel: event.channel }),
          recordedAt: event.at,
          recordedBy: event.actorId,
        };
        return { ...state, objections: { ...state.objections, [event.purpose]: objection } };
      }
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  },
};
