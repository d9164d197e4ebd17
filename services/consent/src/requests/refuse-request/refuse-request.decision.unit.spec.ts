import { completed, contactId, dpoId, filed, givenRequestOf, refused, requestId, verified } from '../../testing/request-history.fixture.js';
import type { RefuseRequest } from '../request.decider.js';
import { decideRefuseRequest } from './refuse-request.decision.js';

const given = givenRequestOf(decideRefuseRequest);
const refuse: RefuseRequest = { type: 'RefuseRequest', requestId, contactId, reason: 'manifestly unfounded', actorId: dpoId, at: '2027-01-20T09:00:00.000Z' };

describe('RefuseRequest', () => {
  it('given a received request (identity not established), when refused, then RequestRefused with the reason, and it is refused', () => {
    const events = given(filed).when(refuse);
    expect(events).toEqual([refused]);
    expect(given(filed, ...events).state).toMatchObject({ status: 'refused', refusedAt: refuse.at, refusedBy: dpoId });
  });

  it('given a refused or completed request, when refused, then REQUEST_ALREADY_CLOSED', () => {
    expect(given(filed, refused).refuses(refuse).code).toBe('REQUEST_ALREADY_CLOSED');
    expect(given(filed, verified, completed).refuses(refuse).code).toBe('REQUEST_ALREADY_CLOSED');
  });

  it('never puts the reason in a refusal', () => {
    const error = given(filed, refused).refuses({ ...refuse, reason: 'Zq9Marker' });
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain('Zq9Marker');
  });
});
