// Test-only: a contact's consent history and given/when/then over one decision, for the decisions' unit specs.
import { givenHistory } from '@crm/testing';
import { consentDecider, type ConsentCommand, type ConsentEvent, type ConsentGiven, type ConsentState } from '../consents/consent.decider.js';
import { PURPOSE_CATALOGUE_VERSION } from '../purposes/purpose.catalogue.js';

export const contactId = '01900000-0000-7000-8000-00000000c0c0';
export const actorId = 'user-1';
export const at = '2026-12-01T09:00:00.000Z';
export const later = '2026-12-02T09:00:00.000Z';
/** The content hash of the published notice version the fixtures consent against. */
export const noticeHash = 'a'.repeat(64);

export const marketingGiven: ConsentGiven = {
  type: 'ConsentGiven',
  contactId,
  purpose: 'marketing',
  catalogueVersion: PURPOSE_CATALOGUE_VERSION,
  noticeVersion: 'en-1',
  noticeContentSha256: noticeHash,
  channel: 'web-form',
  evidence: { kind: 'form', reference: 'form-submission-42' },
  actorId,
  at,
};
export const marketingWithdrawn: ConsentEvent = { type: 'ConsentWithdrawn', contactId, purpose: 'marketing', actorId, at: later };
export const analyticsObjected: ConsentEvent = {
  type: 'ObjectionRecorded',
  contactId,
  purpose: 'analytics',
  catalogueVersion: PURPOSE_CATALOGUE_VERSION,
  actorId,
  at,
};

/** `given(...history).when(command)` → the decided events, or `.refuses(command)` → the AppError thrown. */
export const givenHistoryOf = <C extends ConsentCommand>(decide: (command: C, state: ConsentState) => ConsentEvent[]) => givenHistory(consentDecider, decide);
