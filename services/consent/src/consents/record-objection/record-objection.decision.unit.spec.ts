import { actorId, analyticsObjected, at, contactId, givenHistoryOf, marketingGiven } from '../../testing/consent-history.fixture.js';
import type { RecordObjection } from '../consent.decider.js';
import { PURPOSE_CATALOGUE_VERSION } from '../../purposes/purpose.catalogue.js';
import { decideRecordObjection } from './record-objection.decision.js';

const given = givenHistoryOf(decideRecordObjection);
const object = (purpose: string): RecordObjection => ({ type: 'RecordObjection', contactId, purpose, actorId, at });

describe('RecordObjection', () => {
  it('given no objection, when the contact objects to analytics (legitimate interests), then ObjectionRecorded', () => {
    expect(given().when(object('analytics'))).toEqual([analyticsObjected]);
    expect(givenHistoryOf(decideRecordObjection)(analyticsObjected).state.objections).toEqual({
      analytics: { catalogueVersion: PURPOSE_CATALOGUE_VERSION, recordedAt: at, recordedBy: actorId },
    });
  });

  it('given consent to marketing, when the contact objects to marketing (direct marketing: absolute), then ObjectionRecorded', () => {
    expect(given(marketingGiven).when({ ...object('marketing'), channel: 'email' })).toEqual([
      { type: 'ObjectionRecorded', contactId, purpose: 'marketing', catalogueVersion: PURPOSE_CATALOGUE_VERSION, channel: 'email', actorId, at },
    ]);
  });

  it.each(['sales', 'customer-service', 'billing', 'access-control', 'data-protection-oversight', 'data-subject-rights'])(
    'given any state, when the contact objects to %s (no legitimate interests), then OBJECTION_NOT_APPLICABLE',
    (purpose) => {
      const error = given().refuses(object(purpose));
      expect([error.code, error.kind]).toEqual(['OBJECTION_NOT_APPLICABLE', 'invalid']);
    },
  );

  it('given an objection recorded, when the contact objects again, then OBJECTION_ALREADY_RECORDED (conflict)', () => {
    const error = given(analyticsObjected).refuses(object('analytics'));
    expect([error.code, error.kind]).toEqual(['OBJECTION_ALREADY_RECORDED', 'conflict']);
  });

  it('given any state, when the purpose is unknown, then CONSENT_PURPOSE_UNKNOWN', () => {
    expect(given().refuses(object('gossip')).code).toBe('CONSENT_PURPOSE_UNKNOWN');
  });
});
