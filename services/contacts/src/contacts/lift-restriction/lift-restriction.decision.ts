import type { ContactEvent, ContactState, LiftRestriction } from '../contact.decider.js';
import { assertExists } from '../contact.invariants.js';

/** Lifting a restriction that is not in force decides nothing. */
export function decideLiftRestriction(command: LiftRestriction, state: ContactState): ContactEvent[] {
  assertExists(state);
  return state.restricted ? [{ type: 'RestrictionLifted', contactId: command.contactId }] : [];
}
