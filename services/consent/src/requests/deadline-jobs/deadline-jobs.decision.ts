import { isDueSoon, isPastDue } from '../request.deadlines.js';
import { isOpen, type MarkOverdue, type RemindDueSoon, type RequestEvent, type RequestState } from '../request.decider.js';

// The deadline job's decisions. They never refuse: a request that is closed, not yet due, or marked already simply
// decides nothing, so the job may run any number of times, concurrently with the DPO's work, without harm.

/** An open request past its due date is marked overdue, once. */
export function decideMarkOverdue(command: MarkOverdue, state: RequestState): RequestEvent[] {
  if (!isOpen(state) || state.overdueMarkedAt !== undefined || !isPastDue(state.dueAt, command.at)) return [];
  return [{ type: 'RequestOverdue', requestId: command.requestId, contactId: state.contactId, dueAt: state.dueAt, actorId: command.actorId, at: command.at }];
}

/** An open request within the due-soon window is reminded of once per due date (again after an extension). */
export function decideRemindDueSoon(command: RemindDueSoon, state: RequestState): RequestEvent[] {
  if (!isOpen(state) || state.dueSoonRemindedFor === state.dueAt || !isDueSoon(state.dueAt, command.at)) return [];
  return [{ type: 'RequestDueSoon', requestId: command.requestId, contactId: state.contactId, dueAt: state.dueAt, actorId: command.actorId, at: command.at }];
}
