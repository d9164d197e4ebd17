import type { FiledRequest, RequestState } from './request.decider.js';
import { requestError } from './request.errors.js';

/** The filed request a command acts on; a stream with nothing filed names no request. */
export function filed(state: RequestState, requestId: string): FiledRequest {
  if (state.status === 'none') throw requestError('REQUEST_NOT_FOUND', 'no such request', { details: { requestId } });
  return state;
}

/** A request still open: a completed or refused one never changes again. */
export function open(state: RequestState, requestId: string): FiledRequest {
  const request = filed(state, requestId);
  if (request.status === 'completed' || request.status === 'refused') {
    throw requestError('REQUEST_ALREADY_CLOSED', `the request is ${request.status} already, and cannot change`, {
      details: { requestId, status: request.status },
    });
  }
  return request;
}
