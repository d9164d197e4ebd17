import type { RequestEvent, RequestState, StartRequest } from '../request.decider.js';
import { requestError } from '../request.errors.js';
import { open } from '../request.invariants.js';

/** Work on a verified request starts (its state says so to every other DPO). */
export function decideStartRequest(command: StartRequest, state: RequestState): RequestEvent[] {
  const request = open(state, command.requestId);
  if (request.status === 'received') {
    throw requestError('REQUEST_NOT_VERIFIED', "the requester's identity must be verified first", { details: { requestId: command.requestId } });
  }
  if (request.status === 'in-progress') {
    throw requestError('REQUEST_ALREADY_IN_PROGRESS', 'work on this request has started already', { details: { requestId: command.requestId } });
  }
  return [{ type: 'RequestStarted', requestId: command.requestId, contactId: request.contactId, actorId: command.actorId, at: command.at }];
}
