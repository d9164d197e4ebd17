import type { ConsentEvent, ConsentState, WithdrawConsent } from '../consent.decider.js';
import { consentError } from '../consent.errors.js';
import { knownPurpose } from '../consent.invariants.js';

/** Withdrawal (Art. 7(3)) of the consent in force for the purpose; there must be one. */
export function decideWithdrawConsent(command: WithdrawConsent, state: ConsentState): ConsentEvent[] {
  const purpose = knownPurpose(command.purpose);
  if (state.consents[purpose.code]?.status !== 'given') {
    throw consentError('CONSENT_NOT_GIVEN', `no consent for ${purpose.code} is in force for this contact`, { details: { purpose: purpose.code } });
  }
  return [
    {
      type: 'ConsentWithdrawn',
      contactId: command.contactId,
      purpose: purpose.code,
      ...(command.channel === undefined ? {} : { channel: command.channel }),
      actorId: command.actorId,
      at: command.at,
    },
  ];
}
