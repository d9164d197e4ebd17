import { AppError } from '@crm/errors';
import type { ContactState } from './contact.decider.js';

// The rules every contact decision shares: the aggregate's lifecycle (absent → active → erased) and restriction.

export const contactNotFound = (): AppError => new AppError('CONTACT_NOT_FOUND', 'not_found', 'no contact with this id');

/** Erasure is final: no command acts on an erased contact (a repeated erasure decides nothing instead). */
export function assertNotErased(state: ContactState): void {
  if (state.status === 'erased') throw new AppError('CONTACT_ERASED', 'gone', 'this contact has been erased');
}

/** Every command but creation acts on a contact that exists and was not erased. */
export function assertExists(state: ContactState): void {
  assertNotErased(state);
  if (state.status === 'absent') throw contactNotFound();
}

/** Art. 18(2): while restricted, the data may be stored but not processed, and changing it is processing. */
export function assertNotRestricted(state: ContactState): void {
  if (state.restricted) throw new AppError('CONTACT_RESTRICTED', 'conflict', 'processing of this contact is restricted; lift the restriction first');
}
