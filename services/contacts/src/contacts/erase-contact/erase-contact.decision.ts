import type { ContactEvent, ContactState, EraseContact } from '../contact.decider.js';
import { contactNotFound } from '../contact.invariants.js';

/**
 * Art. 17 overrides Art. 18: a restricted contact can still be erased. Erasure is final, and repeating it is a no-op
 * so that a retried request or a replayed job cannot fail. The route and the shredding around it are in `erasure/`.
 */
export function decideEraseContact(command: EraseContact, state: ContactState): ContactEvent[] {
  if (state.status === 'erased') return [];
  if (state.status === 'absent') throw contactNotFound();
  return [{ type: 'ContactErased', contactId: command.contactId }];
}
