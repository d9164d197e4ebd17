import { consentApi } from '@crm/api-contract';
import type { Decider } from '@crm/eventstore';
import { decideConfirmConsent } from './confirm-consent/confirm-consent.decision.js';
import { decideGiveConsent } from './give-consent/give-consent.decision.js';
import { decideRecordObjection } from './record-objection/record-objection.decision.js';
import { decideWithdrawConsent } from './withdraw-consent/withdraw-consent.decision.js';

/** How a consent, a withdrawal or an objection reached the controller (the API contract states the list). */
export const CONSENT_CHANNELS = consentApi.CONSENT_CHANNELS;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];

/** What kind of proof the evidence is (the API contract states the list). */
export const EVIDENCE_KINDS = consentApi.EVIDENCE_KINDS;
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
  /**
   * A fresh confirmation token's hash and its lifetime, in case the consent needs the person's confirmation (double
   * opt-in: marketing by e-mail). The handler makes the token; the decision says whether it is used.
   */
  confirmation: { tokenSha256: string; ttlHours: number };
  actorId: string;
  at: string;
}
/** The person confirms a double opt-in with the token mailed to them (the actor is the person: the contact id). */
export interface ConfirmConsent {
  type: 'ConfirmConsent';
  contactId: string;
  tokenSha256: string;
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
export type ConsentCommand = GiveConsent | ConfirmConsent | WithdrawConsent | RecordObjection;

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
  /** Set when this consent confirms a double opt-in: the hash of the token it uses up. */
  confirmationTokenSha256?: string;
  actorId: string;
  at: string;
}
/**
 * Consent asked for that waits for the person's confirmation (double opt-in); nothing is in force until a
 * ConsentGiven with this token's hash follows before `expiresAt`. The evidence is the request's (the sign-up form).
 */
export interface ConsentConfirmationRequested {
  type: 'ConsentConfirmationRequested';
  contactId: string;
  purpose: string;
  catalogueVersion: number;
  noticeVersion: string;
  noticeContentSha256: string;
  channel: ConsentChannel;
  evidence: Evidence;
  tokenSha256: string;
  expiresAt: string;
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
export type ConsentEvent = ConsentGiven | ConsentConfirmationRequested | ConsentWithdrawn | ObjectionRecorded;

/** The current consent for one purpose. PII-free: the evidence stays in the history (sealed), not in the state. */
export interface PurposeConsent {
  status: 'given' | 'withdrawn';
  catalogueVersion: number;
  noticeVersion: string;
  /** Absent on consents recorded before notice versions were checked. */
  noticeContentSha256?: string;
  channel: ConsentChannel;
  givenAt: string;
  /** Who recorded it (absent once the contact is erased: the state is then a pseudonymous proof, `erase-consents/`). */
  givenBy?: string;
  withdrawnAt?: string;
  withdrawnBy?: string;
  withdrawalChannel?: ConsentChannel;
}

export interface Objection {
  catalogueVersion: number;
  channel?: ConsentChannel;
  recordedAt: string;
  /** Who recorded it (absent once the contact is erased). */
  recordedBy?: string;
}

/** A double opt-in asked for, by its token's hash (PII-free: the token itself is never stored). */
export interface ConsentConfirmation {
  purpose: string;
  catalogueVersion: number;
  noticeVersion: string;
  noticeContentSha256: string;
  channel: ConsentChannel;
  requestedAt: string;
  requestedBy: string;
  expiresAt: string;
  /** Set once the token has been used: it confirms nothing more. */
  confirmedAt?: string;
}

/** A contact's consents and objections, by purpose code. */
export interface ConsentState {
  consents: Readonly<Record<string, PurposeConsent>>;
  objections: Readonly<Record<string, Objection>>;
  /** Double opt-ins asked for, by token hash; absent until the first one, and again once the contact is erased. */
  confirmations?: Readonly<Record<string, ConsentConfirmation>>;
}

/** The consent aggregate of one contact: each command is decided in its use case's folder. */
export const consentDecider: Decider<ConsentCommand, ConsentState, ConsentEvent> = {
  initialState: () => ({ consents: {}, objections: {} }),

  decide(command, state) {
    switch (command.type) {
      case 'GiveConsent':
        return decideGiveConsent(command, state);
      case 'ConfirmConsent':
        return decideConfirmConsent(command, state);
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
        const used = event.confirmationTokenSha256 === undefined ? undefined : state.confirmations?.[event.confirmationTokenSha256];
        const confirmations =
          used === undefined ? {} : { confirmations: { ...state.confirmations, [event.confirmationTokenSha256!]: { ...used, confirmedAt: event.at } } };
        return { ...state, consents: { ...state.consents, [event.purpose]: consent }, ...confirmations };
      }
      case 'ConsentConfirmationRequested': {
        const pending: ConsentConfirmation = {
          purpose: event.purpose,
          catalogueVersion: event.catalogueVersion,
          noticeVersion: event.noticeVersion,
          noticeContentSha256: event.noticeContentSha256,
          channel: event.channel,
          requestedAt: event.at,
          requestedBy: event.actorId,
          expiresAt: event.expiresAt,
        };
        return { ...state, confirmations: { ...state.confirmations, [event.tokenSha256]: pending } };
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
