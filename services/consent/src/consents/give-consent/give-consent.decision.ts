import { acceptsConsent, PURPOSE_CATALOGUE_VERSION } from '../../purposes/purpose.catalogue.js';
import type { ConsentChannel, ConsentEvent, ConsentState, GiveConsent } from '../consent.decider.js';
import { consentError } from '../consent.errors.js';
import { knownPurpose } from '../consent.invariants.js';

/**
 * Consent to e-mail marketing is confirmed by the person before it is in force (double opt-in): whoever records it by
 * e-mail may not be the address's owner, and a mistyped address must not become a consent.
 */
export function requiresDoubleOptIn(purpose: string, channel: ConsentChannel): boolean {
  return purpose === 'marketing' && channel === 'email';
}

const HOUR_MS = 3_600_000;

/**
 * Consent for a purpose that rests on consent, against a published privacy-notice version (its content hash is
 * recorded with the consent). Marketing by e-mail is only asked for here (ConsentConfirmationRequested, with the
 * fresh token's hash and its expiry) and in force once the person confirms it (confirm-consent). Giving it again (against a newer notice, on another channel) records
 * a new proof; the current consent is the latest one.
 */
export function decideGiveConsent(command: GiveConsent, _state: ConsentState): ConsentEvent[] {
  const purpose = knownPurpose(command.purpose);
  if (!acceptsConsent(purpose)) {
    throw consentError('CONSENT_BASIS_NOT_CONSENT', `processing for ${purpose.code} rests on ${purpose.lawfulBasis}, not on consent`, {
      details: { purpose: purpose.code, lawfulBasis: purpose.lawfulBasis },
    });
  }
  if (command.notice.status === 'unknown') {
    throw consentError('CONSENT_NOTICE_UNKNOWN', 'no privacy notice of that version', { details: { noticeVersion: command.noticeVersion } });
  }
  if (command.notice.status === 'draft') {
    throw consentError('CONSENT_NOTICE_NOT_PUBLISHED', 'that privacy-notice version is not published: nobody can have been shown it', {
      details: { noticeVersion: command.noticeVersion },
    });
  }
  if (requiresDoubleOptIn(purpose.code, command.channel)) {
    return [
      {
        type: 'ConsentConfirmationRequested',
        contactId: command.contactId,
        purpose: purpose.code,
        catalogueVersion: PURPOSE_CATALOGUE_VERSION,
        noticeVersion: command.noticeVersion,
        noticeContentSha256: command.notice.contentSha256,
        channel: command.channel,
        evidence: command.evidence,
        tokenSha256: command.confirmation.tokenSha256,
        expiresAt: new Date(Date.parse(command.at) + command.confirmation.ttlHours * HOUR_MS).toISOString(),
        actorId: command.actorId,
        at: command.at,
      },
    ];
  }
  return [
    {
      type: 'ConsentGiven',
      contactId: command.contactId,
      purpose: purpose.code,
      catalogueVersion: PURPOSE_CATALOGUE_VERSION,
      noticeVersion: command.noticeVersion,
      noticeContentSha256: command.notice.contentSha256,
      channel: command.channel,
      evidence: command.evidence,
      actorId: command.actorId,
      at: command.at,
    },
  ];
}
