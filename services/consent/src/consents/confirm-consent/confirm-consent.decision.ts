import type { ConfirmConsent, ConsentEvent, ConsentState } from '../consent.decider.js';
import { consentError } from '../consent.errors.js';

/**
 * The person confirms a double opt-in with the token mailed to them: the consent asked for is given, with the
 * confirmation as its evidence, against the notice version it was asked for against. A token confirms once and only
 * until it expires; an unknown one confirms nothing. Errors name no token and nothing about the person.
 */
export function decideConfirmConsent(command: ConfirmConsent, state: ConsentState): ConsentEvent[] {
  const pending = state.confirmations?.[command.tokenSha256];
  if (pending === undefined) throw consentError('CONSENT_CONFIRMATION_UNKNOWN', 'no consent waits for this confirmation token');
  if (pending.confirmedAt !== undefined) throw consentError('CONSENT_CONFIRMATION_USED', 'this confirmation token has been used already');
  if (Date.parse(command.at) >= Date.parse(pending.expiresAt)) {
    throw consentError('CONSENT_CONFIRMATION_EXPIRED', 'this confirmation token has expired: the consent must be asked for again', {
      details: { expiresAt: pending.expiresAt },
    });
  }
  return [
    {
      type: 'ConsentGiven',
      contactId: command.contactId,
      purpose: pending.purpose,
      catalogueVersion: pending.catalogueVersion,
      noticeVersion: pending.noticeVersion,
      noticeContentSha256: pending.noticeContentSha256,
      channel: pending.channel,
      evidence: {
        kind: 'double-opt-in',
        reference: `confirmed ${command.at} with the token mailed after the request of ${pending.requestedAt} (sha256 ${command.tokenSha256.slice(0, 16)}…)`,
      },
      confirmationTokenSha256: command.tokenSha256,
      actorId: command.actorId,
      at: command.at,
    },
  ];
}
