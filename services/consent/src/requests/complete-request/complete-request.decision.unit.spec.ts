import { completed, contactId, dpoId, filed, givenRequestOf, refused, requestId, started, verified } from '../../testing/request-history.fixture.js';
import type { CompleteRequest } from '../request.decider.js';
import { decideCompleteRequest } from './complete-request.decision.js';

const given = givenRequestOf(decideCompleteRequest);
const complete: CompleteRequest = { type: 'CompleteRequest', requestId, contactId, reference: 'package 1', actorId: dpoId, at: '2027-01-20T09:00:00.000Z' };

describe('CompleteRequest', () => {
  it('given a request in progress, when completed, then RequestCompleted with the reference, and it is completed', () => {
    const events = given(filed, verified, started).when(complete);
    expect(events).toEqual([completed]);
    expect(given(filed, verified, started, ...events).state).toMatchObject({ status: 'completed', completedAt: complete.at, completedBy: dpoId });
  });

  it('given a verified request not yet started, when completed, then it is completed (starting is implied)', () => {
    expect(given(filed, verified).when(complete)).toEqual([completed]);
  });

  it('given an unverified request, when completed, then REQUEST_NOT_VERIFIED: nothing is disclosed before identity is verified', () => {
    const error = given(filed).refuses(complete);
    expect([error.code, error.kind]).toEqual(['REQUEST_NOT_VERIFIED', 'conflict']);
  });

  it('given a completed request, when completed again, then REQUEST_ALREADY_CLOSED (conflict); a refused one too', () => {
    const error = given(filed, verified, completed).refuses(complete);
    expect([error.code, error.kind, error.details?.status]).toEqual(['REQUEST_ALREADY_CLOSED', 'conflict', 'completed']);
    expect(given(filed, refused).refuses(complete).details?.status).toBe('refused');
  });

  it('given no request, when completed, then REQUEST_NOT_FOUND (not found)', () => {
    const error = given().refuses(complete);
    expect([error.code, error.kind]).toEqual(['REQUEST_NOT_FOUND', 'not_found']);
  });
});
