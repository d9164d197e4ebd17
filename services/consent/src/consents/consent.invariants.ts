import { purposeOf, type PurposeSpec } from '../purposes/purpose.catalogue.js';
import { consentError } from './consent.errors.js';

/** The purpose of the catalogue a command names; an unknown code is refused. */
export function knownPurpose(code: string): PurposeSpec {
  const purpose = purposeOf(code);
  if (purpose === undefined) throw consentError('CONSENT_PURPOSE_UNKNOWN', 'the purpose is not in the purpose catalogue (GET /v1/purposes)');
  return purpose;
}
