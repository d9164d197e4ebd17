import { contactId, created, givenHistoryOf, lifted, restricted } from '../../testing/contact-history.fixture.js';
import { decideRectifyContact } from '../rectify-contact/rectify-contact.decision.js';
import { decideLiftRestriction } from './lift-restriction.decision.js';

const given = givenHistoryOf(decideLiftRestriction);

describe('LiftRestriction', () => {
  it('given a restricted contact, when lifted, then RestrictionLifted and it can be rectified again; lifting an unrestricted one decides nothing', () => {
    expect(given(created, restricted).when({ type: 'LiftRestriction', contactId })).toEqual([lifted]);
    expect(givenHistoryOf(decideRectifyContact)(created, restricted, lifted).when({ type: 'RectifyContact', contactId, patch: { notes: ['x'] } })).toHaveLength(
      1,
    );
    expect(given(created).when({ type: 'LiftRestriction', contactId })).toEqual([]);
  });
});
