import { acceptsObjection, PURPOSE_CATALOGUE_VERSION } from '../../purposes/purpose.catalogue.js';
import type { ConsentEvent, ConsentState, RecordObjection } from '../consent.decider.js';
import { consentError } from '../consent.errors.js';
import { knownPurpose } from '../consent.invariants.js';

/**
 * An objection (Art. 21) to processing for a purpose that may rest on legitimate interests: absolute for direct
 * marketing, subject to the controller's compelling grounds otherwise (the catalogue's `objection` rule).
 */
export function decideRecordObjection(command: RecordObjection, state: ConsentState): ConsentEvent[] {
  const purpose = knownPurpose(command.purpose);
  if (!acceptsObjection(purpose)) {
    throw consentError('OBJECTION_NOT_APPLICABLE', `processing for ${purpose.code} does not rest on legitimate interests, so Art. 21 does not apply`, {
      details: { purpose: purpose.code, lawfulBasis: purpose.lawfulBasis },
    });
  }
  if (state.objections[purpose.code] !== undefined) {
    throw consentError('OBJECTION_ALREADY_RECORDED', `an objection to ${purpose.code} is recorded for this contact already`, {
      details: { purpose: purpose.code },
    });
  }
  return [
    {
      type: 'ObjectionRecorded',
      contactId: command.contactId,
      purpose: purpose.code,
      catalogueVersion: PURPOSE_CATALOGUE_VERSION,
      ...(command.channel === undefined ? {} : { channel: command.channel }),
      actorId: command.actorId,
      at: command.at,
    },
  ];
}
