import { BASE_MONTHS, dueAt, isPastDue, MAX_EXTENSION_MONTHS, periodEnd } from '../request.deadlines.js';
import type { ExtendRequest, RequestEvent, RequestState } from '../request.decider.js';
import { requestError } from '../request.errors.js';
import { open } from '../request.invariants.js';

/**
 * Extends an open request's period by `months`, with the reason (Art. 12(3)): by two further months at most in total
 * (three from receipt), and only within the first month, while the person can still be told in time.
 */
export function decideExtendRequest(command: ExtendRequest, state: RequestState): RequestEvent[] {
  const request = open(state, command.requestId);
  const totalMonths = request.extensionMonths + command.months;
  if (!Number.isInteger(command.months) || command.months < 1 || totalMonths > MAX_EXTENSION_MONTHS) {
    throw requestError('REQUEST_EXTENSION_LIMIT', `a request may be extended by ${MAX_EXTENSION_MONTHS} further months at most in total`, {
      details: { requestId: command.requestId, extendedMonths: request.extensionMonths, requestedMonths: command.months, maxMonths: MAX_EXTENSION_MONTHS },
    });
  }
  const firstPeriodEnd = periodEnd(request.receivedAt, BASE_MONTHS);
  if (isPastDue(firstPeriodEnd, command.at)) {
    throw requestError('REQUEST_EXTENSION_TOO_LATE', 'an extension must be decided and told within one month of receipt', {
      details: { requestId: command.requestId, firstPeriodEnd },
    });
  }
  return [
    {
      type: 'RequestExtended',
      requestId: command.requestId,
      contactId: request.contactId,
      months: command.months,
      totalMonths,
      reason: command.reason,
      dueAt: dueAt(request.receivedAt, totalMonths),
      actorId: command.actorId,
      at: command.at,
    },
  ];
}
