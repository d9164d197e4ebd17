import type { ContactEvent, ContactState, RestrictProcessing } from '../contact.decider.js';
import { assertExists } from '../contact.invariants.js';

/** Art. 18: restricting a restricted contact again decides nothing (the first ground stands). */
export function decideRestrictProcessing(command: RestrictProcessing, state: ContactState): ContactEvent[] {
  assertExists(state);
  return state.restricted ? [] : [{ type: 'ProcessingRestricted', contactId: command.contactId, reason: command.reason }];
}
