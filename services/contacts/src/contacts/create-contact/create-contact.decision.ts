import { AppError } from '@crm/errors';
import type { ContactEvent, ContactState, CreateContact } from '../contact.decider.js';
import { assertNotErased } from '../contact.invariants.js';

/** A new contact with the data validated at the edge; an id in use, or erased, is never taken again. */
export function decideCreateContact(command: CreateContact, state: ContactState): ContactEvent[] {
  assertNotErased(state);
  if (state.status === 'active') throw new AppError('CONTACT_ALREADY_EXISTS', 'conflict', 'a contact with this id exists already');
  return [{ type: 'ContactCreated', contactId: command.contactId, data: command.data }];
}
