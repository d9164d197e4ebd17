import { contactId, created, givenHistoryOf } from '../../testing/contact-history.fixture.js';
import { decideCreateContact } from './create-contact.decision.js';

const given = givenHistoryOf(decideCreateContact);

describe('CreateContact', () => {
  it('given no contact, when created, then ContactCreated carries the data', () => {
    expect(given().when({ type: 'CreateContact', contactId, data: created.data })).toEqual([created]);
  });

  it('given an existing contact, when created again, then CONTACT_ALREADY_EXISTS (conflict)', () => {
    const error = given(created).refuses({ type: 'CreateContact', contactId, data: {} });
    expect([error.code, error.kind]).toEqual(['CONTACT_ALREADY_EXISTS', 'conflict']);
  });
});
