import { completed, contactId, dpoId, filed, givenRequestOf, requestId, started, verified } from '../../testing/request-history.fixture.js';
import type { StartRequest } from '../request.decider.js';
import { decideStartRequest } from './start-request.decision.js';

const given = givenRequestOf(decideStartRequest);
const start: StartRequest = { type: 'StartRequest', requestId, contactId, actorId: dpoId, at: '2027-01-18T09:00:00.000Z' };

describe('StartRequest', () => {
  it('given a verified request, when started, then it is in progress', () => {
    const events = given(filed, verified).when(start);
    expect(events).toEqual([started]);
    expect(given(filed, verified, ...events).state).toMatchObject({ status: 'in-progress', startedBy: dpoId });
  });

  it('given an unverified request, when started, then REQUEST_NOT_VERIFIED (conflict)', () => {
    const error = given(filed).refuses(start);
    expect([error.code, error.kind]).toEqual(['REQUEST_NOT_VERIFIED', 'conflict']);
  });

  it('given a started request, when started again, then REQUEST_ALREADY_IN_PROGRESS; a completed one REQUEST_ALREADY_CLOSED', () => {
    expect(given(filed, verified, started).refuses(start).code).toBe('REQUEST_ALREADY_IN_PROGRESS');
    expect(given(filed, verified, completed).refuses(start).code).toBe('REQUEST_ALREADY_CLOSED');
  });
});
