import type { RequestEvent, RequestState, VerifyIdentity } from '../request.decider.js';
import { requestError } from '../request.errors.js';
import { open } from '../request.invariants.js';

/** The requester's identity, verified once, before any work on the request or disclosure (Art. 12(2), (6)). */
export function decideVerifyIdentity(command: VerifyIdentity, state: RequestState): RequestEvent[] {
  const request = open(state, command.requestId);
  if (request.status !== 'received') {
    throw requestError('REQUEST_ALREADY_VERIFIED', "the requester's identity is verified already", { details: { requestId: command.requestId } });
  }
  return [
    {
      type: 'IdentityVerified',
      requestId: command.requestId,
      contactId: request.contactId,
      method: command.method,
      evidence: command.evidence,
      actorId: command.actorId,
      at: command.at,
    },
  ];
}
