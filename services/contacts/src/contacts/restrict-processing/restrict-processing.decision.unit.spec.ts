import { contactId, created, givenHistoryOf, restricted } from '../../testing/contact-history.fixture.js';
import { decideRestrictProcessing } from './restrict-processing.decision.js';

const given = givenHistoryOf(decideRestrictProcessing);

describe('RestrictProcessing', () => {
  it('given a contact, when restricted, then ProcessingRestricted with the reason code; restricting again decides nothing', () => {
    expect(given(created).when({ type: 'RestrictProcessing', contactId, reason: 'accuracy-contested' })).toEqual([restricted]);
    expect(given(created, restricted).when({ type: 'RestrictProcessing', contactId, reason: 'legal-claims' })).toEqual([]);
  });
});
