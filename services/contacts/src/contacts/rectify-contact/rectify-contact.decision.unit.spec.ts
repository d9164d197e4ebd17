import { fold } from '@crm/eventstore';
import { contactId, created, givenHistoryOf, restricted } from '../../testing/contact-history.fixture.js';
import { contactDecider, type ContactEvent } from '../contact.decider.js';
import { decideRectifyContact } from './rectify-contact.decision.js';

const given = givenHistoryOf(decideRectifyContact);

describe('RectifyContact', () => {
  it('given a contact, when rectified, then only the changed units are in the event, removals as null', () => {
    const events = given(created).when({
      type: 'RectifyContact',
      contactId,
      patch: { name: { given: 'Ann', family: 'Lee-Smith' }, emails: ['ann@example.com'], birthDate: null, phones: ['+4915123456789'], notes: null },
    });
    expect(events).toEqual([{ type: 'ContactRectified', contactId, changes: { name: { family: 'Lee-Smith' }, birthDate: null, phones: ['+4915123456789'] } }]);
    expect(fold(contactDecider, [created, ...events]).data).toEqual({
      name: { given: 'Ann', family: 'Lee-Smith' },
      emails: ['ann@example.com'],
      phones: ['+4915123456789'],
    });
  });

  it('given a rectify that changes nothing (same values, key order aside, or removing what is absent), then no events', () => {
    const withAddress: ContactEvent = { type: 'ContactCreated', contactId, data: { addresses: [{ street: 'Main 1', city: 'Berlin' }] } };
    expect(
      given(withAddress).when({ type: 'RectifyContact', contactId, patch: { addresses: [{ city: 'Berlin', street: 'Main 1' }], notes: null, name: {} } }),
    ).toEqual([]);
    expect(given(created).when({ type: 'RectifyContact', contactId, patch: {} })).toEqual([]);
  });

  it('given a restricted contact, when rectified, then CONTACT_RESTRICTED', () => {
    expect(given(created, restricted).refuses({ type: 'RectifyContact', contactId, patch: { notes: ['x'] } }).code).toBe('CONTACT_RESTRICTED');
  });
});
