import type { RefuseRequest, RequestEvent, RequestState } from '../request.decider.js';
import { open } from '../request.invariants.js';

/**
 * The request refused, with the reason the person is told (Art. 12(4): manifestly unfounded or excessive, identity
 * not established, …). Any open request, verified or not.
 */
export function decideRefuseRequest(command: RefuseRequest, state: RequestState): RequestEvent[] {
  const request = open(state, command.requestId);
  return [
    { type: 'RequestRefused', requestId: command.requestId, contactId: request.contactId, reason: command.reason, actorId: command.actorId, at: command.at },
  ];
}
