import { completed, contactId, dueAt, filed, givenRequestOf, requestId, verified } from '../../testing/request-history.fixture.js';
import type { MarkOverdue, RemindDueSoon, RequestEvent } from '../request.decider.js';
import { decideMarkOverdue, decideRemindDueSoon } from './deadline-jobs.decision.js';

const JOB = 'consent:request-deadlines';
const mark = (at: string): MarkOverdue => ({ type: 'MarkOverdue', requestId, contactId, actorId: JOB, at });
const remind = (at: string): RemindDueSoon => ({ type: 'RemindDueSoon', requestId, contactId, actorId: JOB, at });
const overdue = givenRequestOf(decideMarkOverdue);
const dueSoon = givenRequestOf(decideRemindDueSoon);

describe('the deadline job: MarkOverdue', () => {
  it('given an open request, at the last instant of its due date, then nothing; an instant later, then RequestOverdue', () => {
    expect(overdue(filed).when(mark(dueAt))).toEqual([]);
    const events = overdue(filed).when(mark('2027-02-16T00:00:00.000Z'));
    expect(events).toEqual([{ type: 'RequestOverdue', requestId, contactId, dueAt, actorId: JOB, at: '2027-02-16T00:00:00.000Z' }]);
    expect(overdue(filed, ...events).state).toMatchObject({ status: 'received', overdueMarkedAt: '2027-02-16T00:00:00.000Z' });
  });

  it('given a request marked overdue already, when the job runs again, then nothing (once)', () => {
    const events = overdue(filed).when(mark('2027-02-16T00:00:00.000Z'));
    expect(overdue(filed, ...events).when(mark('2027-03-01T00:00:00.000Z'))).toEqual([]);
  });

  it('given a completed request past its due date, then nothing; no request at all, then nothing', () => {
    expect(overdue(filed, verified, completed).when(mark('2027-03-01T00:00:00.000Z'))).toEqual([]);
    expect(overdue().when(mark('2027-03-01T00:00:00.000Z'))).toEqual([]);
  });

  it('given an extended request, then overdue only after the extended due date', () => {
    const extended: RequestEvent = {
      type: 'RequestExtended',
      requestId,
      contactId,
      months: 1,
      totalMonths: 1,
      reason: 'r',
      dueAt: '2027-03-15T23:59:59.999Z',
      actorId: 'dpo-1',
      at: '2027-02-01T00:00:00.000Z',
    };
    expect(overdue(filed, extended).when(mark('2027-03-15T23:59:59.999Z'))).toEqual([]);
    expect(overdue(filed, extended).when(mark('2027-03-16T00:00:00.000Z'))).toHaveLength(1);
  });
});

describe('the deadline job: RemindDueSoon', () => {
  it('given an open request, eight days before its due date, then nothing; seven days before, then RequestDueSoon', () => {
    expect(dueSoon(filed).when(remind('2027-02-07T23:59:59.999Z'))).toEqual([]);
    const events = dueSoon(filed).when(remind('2027-02-08T23:59:59.999Z'));
    expect(events).toEqual([{ type: 'RequestDueSoon', requestId, contactId, dueAt, actorId: JOB, at: '2027-02-08T23:59:59.999Z' }]);
  });

  it('given a reminder for this due date, then nothing more; after an extension, a new reminder for the new date', () => {
    const [reminded] = dueSoon(filed).when(remind('2027-02-10T00:00:00.000Z'));
    expect(dueSoon(filed, reminded!).when(remind('2027-02-12T00:00:00.000Z'))).toEqual([]);
    const extended: RequestEvent = {
      type: 'RequestExtended',
      requestId,
      contactId,
      months: 1,
      totalMonths: 1,
      reason: 'r',
      dueAt: '2027-03-15T23:59:59.999Z',
      actorId: 'dpo-1',
      at: '2027-02-13T00:00:00.000Z',
    };
    expect(dueSoon(filed, reminded!, extended).when(remind('2027-02-14T00:00:00.000Z'))).toEqual([]);
    expect(dueSoon(filed, reminded!, extended).when(remind('2027-03-10T00:00:00.000Z'))).toEqual([
      expect.objectContaining({ dueAt: '2027-03-15T23:59:59.999Z' }),
    ]);
  });

  it('given a request past due or closed, then no reminder', () => {
    expect(dueSoon(filed).when(remind('2027-02-16T00:00:00.000Z'))).toEqual([]);
    expect(dueSoon(filed, verified, completed).when(remind('2027-02-10T00:00:00.000Z'))).toEqual([]);
  });
});
