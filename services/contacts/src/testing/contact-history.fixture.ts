// Test-only: a contact's history and given/when/then over one decision, for the decisions' unit specs.
import { givenHistory } from '@crm/testing';
import { contactDecider, type ContactCommand, type ContactCreated, type ContactEvent, type ContactState } from '../contacts/contact.decider.js';

export const contactId = 'c-1';
export const created: ContactCreated = {
  type: 'ContactCreated',
  contactId,
  data: { name: { given: 'Ann', family: 'Lee' }, emails: ['ann@example.com'], birthDate: '1990-01-01' },
};
export const transaction = {
  contactId,
  transactionId: 't-1',
  description: 'Order 1',
  amountCents: 1999n,
  currency: 'EUR',
  occurredAt: '2025-03-01T10:00:00.000Z',
};
export const restricted: ContactEvent = { type: 'ProcessingRestricted', contactId, reason: 'accuracy-contested' };
export const lifted: ContactEvent = { type: 'RestrictionLifted', contactId };
export const erased: ContactEvent = { type: 'ContactErased', contactId };

/** `given(...history).when(command)` → the decided events, or `.refuses(command)` → the AppError thrown. */
export const givenHistoryOf = <C extends ContactCommand>(decide: (command: C, state: ContactState) => ContactEvent[]) => givenHistory(contactDecider, decide);
