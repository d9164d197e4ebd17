import type { ConsentState, Objection, PurposeConsent } from '../consent.decider.js';

/**
 * What consent keeps about a contact once it is erased (Art. 17 with Art. 7(1), 5(2)): a pseudonymous proof under the
 * contact's id only. Per purpose its status, the catalogue version, the notice version and content hash it was given
 * against, the channel codes and the dates; per objection the catalogue version, the channel code and the date. The
 * actors (who recorded each change: staff ids, or the person's own id for a double opt-in) and the double opt-ins
 * asked for (token hashes, who asked, expiry) are dropped; the evidence was never in the state (it is sealed in the
 * events, under the key the erasure destroyed). Pure and idempotent: reducing a proof again changes nothing.
 */
export function pseudonymousProof(state: ConsentState): ConsentState {
  const consents: Record<string, PurposeConsent> = {};
  for (const [purpose, consent] of Object.entries(state.consents)) {
    consents[purpose] = {
      status: consent.status,
      catalogueVersion: consent.catalogueVersion,
      noticeVersion: consent.noticeVersion,
      ...(consent.noticeContentSha256 === undefined ? {} : { noticeContentSha256: consent.noticeContentSha256 }),
      channel: consent.channel,
      givenAt: consent.givenAt,
      ...(consent.withdrawnAt === undefined ? {} : { withdrawnAt: consent.withdrawnAt }),
      ...(consent.withdrawalChannel === undefined ? {} : { withdrawalChannel: consent.withdrawalChannel }),
    };
  }
  const objections: Record<string, Objection> = {};
  for (const [purpose, objection] of Object.entries(state.objections)) {
    objections[purpose] = {
      catalogueVersion: objection.catalogueVersion,
      ...(objection.channel === undefined ? {} : { channel: objection.channel }),
      recordedAt: objection.recordedAt,
    };
  }
  return { consents, objections };
}
