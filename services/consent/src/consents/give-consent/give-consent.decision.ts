import { acceptsConsent, PURPOSE_CATALOGUE_VERSION } from '../../purposes/purpose.catalogue.js';
import type { ConsentEvent, ConsentState, GiveConsent } from '../consent.decider.js';
import { consentError } from '../consent.errors.js';
import { knownPurpose } from '../consent.invariants.js';

/**
 * Consent for a purpose that rests on consent, against a published privacy-notice version (its content hash is
 * recorded with the consent). Giving it again (against a newer notice, on another channel) records
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
