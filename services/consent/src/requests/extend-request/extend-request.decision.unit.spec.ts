import { completed, contactId, dpoId, filed, givenRequestOf, receivedAt, requestId, verified } from '../../testing/request-history.fixture.js';
import type { ExtendRequest, RequestEvent } from '../request.decider.js';
import { decideExtendRequest } from './extend-request.decision.js';

const given = givenRequestOf(decideExtendRequest);
const extend = (months: number, at = '2027-02-01T09:00:00.000Z'): ExtendRequest => ({
  type: 'ExtendRequest',
  requestId,
  contactId,
  months,
  reason: 'many requests from this person at once',
  actorId: dpoId,
  at,
});

describe('ExtendRequest (Art. 12(3))', () => {
  it('given a request received 15 January, when extended by two months, then it is due at the end of 15 April', () => {
    const events = given(filed, verified).when(extend(2));
    expect(events).toEqual([
      {
        type: 'RequestExtended',
        requestId,
        contactId,
        months: 2,
        totalMonths: 2,
        reason: 'many requests from this person at once',
        dueAt: '2027-04-15T23:59:59.999Z',
        actorId: dpoId,
        at: '2027-02-01T09:00:00.000Z',
      },
    ]);
    expect(given(filed, verified, ...events).state).toMatchObject({ status: 'verified', dueAt: '2027-04-15T23:59:59.999Z', extensionMonths: 2 });
  });

  it('given one month added already, when extended by one more, then three months from receipt in total', () => {
    const first = given(filed).when(extend(1));
    const second = given(filed, ...first).when(extend(1, '2027-02-10T09:00:00.000Z'));
    expect(second[0]).toMatchObject({ months: 1, totalMonths: 2, dueAt: '2027-04-15T23:59:59.999Z' });
  });

  it('given two months added, when extended again, then REQUEST_EXTENSION_LIMIT (beyond three months in total)', () => {
    const history: RequestEvent[] = [filed, ...given(filed).when(extend(2))];
    const error = given(...history).refuses(extend(1));
    expect([error.code, error.kind, error.details?.maxMonths]).toEqual(['REQUEST_EXTENSION_LIMIT', 'conflict', 2]);
    expect(given(filed).refuses(extend(3)).code).toBe('REQUEST_EXTENSION_LIMIT');
    expect(given(filed).refuses(extend(0)).code).toBe('REQUEST_EXTENSION_LIMIT');
  });

  it('given a request, when extended after its first month ended, then REQUEST_EXTENSION_TOO_LATE; on its last instant it is still allowed', () => {
    expect(given(filed).when(extend(1, '2027-02-15T23:59:59.999Z'))).toHaveLength(1);
    const error = given(filed).refuses(extend(1, '2027-02-16T00:00:00.000Z'));
    expect([error.code, error.kind]).toEqual(['REQUEST_EXTENSION_TOO_LATE', 'conflict']);
  });

  it('given a completed request, when extended, then REQUEST_ALREADY_CLOSED', () => {
    expect(given(filed, verified, completed).refuses(extend(1)).code).toBe('REQUEST_ALREADY_CLOSED');
  });

  it('counts from receipt, not from the current due date', () => {
    expect(
      given({ ...filed, receivedAt: '2027-01-31T09:00:00.000Z', dueAt: '2027-02-28T23:59:59.999Z' }).when(extend(2, '2027-02-20T00:00:00.000Z'))[0],
    ).toMatchObject({
      dueAt: '2027-04-30T23:59:59.999Z',
    });
    expect(receivedAt).toBe(filed.receivedAt);
  });
});
