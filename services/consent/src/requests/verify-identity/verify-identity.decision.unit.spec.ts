import { completed, dpoId, filed, givenRequestOf, refused, requestId, started, verified } from '../../testing/request-history.fixture.js';
import type { VerifyIdentity } from '../request.decider.js';
import { decideVerifyIdentity } from './verify-identity.decision.js';

const given = givenRequestOf(decideVerifyIdentity);
const at = '2027-01-17T09:00:00.000Z';
const verify: VerifyIdentity = {
  type: 'VerifyIdentity',
  requestId,
  contactId: filed.contactId,
  method: 'id-document',
  evidence: 'ID card checked on a video call',
  actorId: dpoId,
  at,
};

describe('VerifyIdentity', () => {
  it('given a received request, when verified, then IdentityVerified with method and evidence, and it is verified', () => {
    const events = given(filed).when(verify);
    expect(events).toEqual([verified]);
    expect(given(filed, ...events).state).toMatchObject({ status: 'verified', verifiedAt: at, verifiedBy: dpoId, verificationMethod: 'id-document' });
  });

  it('given no request, when verified, then REQUEST_NOT_FOUND', () => {
    expect(given().refuses(verify).code).toBe('REQUEST_NOT_FOUND');
  });

  it('given a verified or started request, when verified again, then REQUEST_ALREADY_VERIFIED (conflict)', () => {
    expect([given(filed, verified).refuses(verify).code, given(filed, verified).refuses(verify).kind]).toEqual(['REQUEST_ALREADY_VERIFIED', 'conflict']);
    expect(given(filed, verified, started).refuses(verify).code).toBe('REQUEST_ALREADY_VERIFIED');
  });

  it('given a closed request, when verified, then REQUEST_ALREADY_CLOSED', () => {
    expect(given(filed, verified, completed).refuses(verify).code).toBe('REQUEST_ALREADY_CLOSED');
    expect(given(filed, refused).refuses(verify).code).toBe('REQUEST_ALREADY_CLOSED');
  });
});
