import { dueAt } from '../request.deadlines.js';
import type { FileRequest, RequestEvent, RequestState } from '../request.decider.js';
import { requestError } from '../request.errors.js';

/**
 * A request as it reached the controller: received at `receivedAt` (never after the service's clock), due one calendar
 * month later (Art. 12(3)). It starts `received`: nothing is disclosed before the requester's identity is verified.
 */
export function decideFileRequest(command: FileRequest, state: RequestState): RequestEvent[] {
  if (state.status !== 'none') throw requestError('REQUEST_ALREADY_CLOSED', 'this request is filed already', { details: { requestId: command.requestId } });
  if (Date.parse(command.receivedAt) > Date.parse(command.at)) {
    throw requestError('REQUEST_RECEIVED_IN_FUTURE', 'receivedAt lies in the future', { details: { receivedAt: command.receivedAt } });
  }
  return [
    {
      type: 'RequestFiled',
      requestId: command.requestId,
      contactId: command.contactId,
      requestType: command.requestType,
      channel: command.channel,
      ...(command.channelReference === undefined ? {} : { channelReference: command.channelReference }),
      receivedAt: command.receivedAt,
      dueAt: dueAt(command.receivedAt),
      actorId: command.actorId,
      at: command.at,
    },
  ];
}
