import { contactId, created, erased, givenHistoryOf, restricted } from '../../testing/contact-history.fixture.js';
import { decideEraseContact } from './erase-contact.decision.js';

const given = givenHistoryOf(decideEraseContact);

describe('EraseContact', () => {
  it('given a contact, when erased, then a PII-free ContactErased', () => {
    const events = given(created).when({ type: 'EraseContact', contactId });
    expect(events).toEqual([erased]);
    expect(Object.keys(events[0]!)).toEqual(['type', 'contactId']);
  });

  it('given a restricted contact, when erased, then it is erased anyway (Art. 17 over Art. 18)', () => {
    expect(given(created, restricted).when({ type: 'EraseContact', contactId })).toEqual([erased]);
  });

  it('given an erased contact, when erased again, then no events (idempotent)', () => {
    expect(given(created, erased).when({ type: 'EraseContact', contactId })).toEqual([]);
  });
});
