import { isDeepStrictEqual } from 'node:util';
import { RECTIFIABLE_UNITS, setAt, valueAt, type ContactData, type ContactPatch } from '../../contact-schema/index.js';
import type { ContactEvent, ContactState, RectifyContact } from '../contact.decider.js';
import { assertExists, assertNotRestricted } from '../contact.invariants.js';

/** Art. 16: the event carries only the units whose value changes; a patch that changes nothing decides nothing. */
export function decideRectifyContact(command: RectifyContact, state: ContactState): ContactEvent[] {
  assertExists(state);
  assertNotRestricted(state);
  const changes = diff(state.data, command.patch);
  return changes === undefined ? [] : [{ type: 'ContactRectified', contactId: command.contactId, changes }];
}

/** The patch reduced to the units whose value actually changes; `undefined` when nothing does. */
function diff(current: ContactData, patch: ContactPatch): ContactPatch | undefined {
  let changes: Record<string, unknown> | undefined;
  for (const unit of RECTIFIABLE_UNITS) {
    const next = valueAt(patch, unit);
    if (next === undefined) continue;
    const before = valueAt(current, unit);
    if (next === null ? before === undefined : isDeepStrictEqual(before, next)) continue;
    changes ??= {};
    setAt(changes, unit, next);
  }
  return changes as ContactPatch | undefined;
}
