import type { CompleteRequest, RequestEvent, RequestState } from '../request.decider.js';
import { requestError } from '../request.errors.js';
import { open } from '../request.invariants.js';

/**
 * The request answered, with a reference to the operation done. Only a verified request (verified or in progress):
 * nothing is disclosed or changed for an unverified requester; a closed one is never completed again.
 */
export function decideCompleteRequest(command: CompleteRequest, state: RequestState): RequestEvent[] {
  const request = open(state, command.requestId);
  if (request.status === 'received') {
    throw requestError('REQUEST_NOT_VERIFIED', "the requester's identity must be verified first", { details: { requestId: command.requestId } });
  }
  return [
    {
      type: 'RequestCompleted',
      requestId: command.requestId,
      contactId: request.contactId,
      ...(command.reference === undefined ? {} : { reference: command.reference }),
      actorId: command.actorId,
      at: command.at,
    },
  ];
}
