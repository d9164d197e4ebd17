import { AppError } from '@crm/errors';
import type { AddTransaction, ContactEvent, ContactState } from '../contact.decider.js';
import { assertExists, assertNotRestricted } from '../contact.invariants.js';

/** A purchase (or refund) recorded once: its id, chosen by the client or the service, is never recorded twice. */
export function decideAddPurchase(command: AddTransaction, state: ContactState): ContactEvent[] {
  assertExists(state);
  assertNotRestricted(state);
  if (state.transactionIds.has(command.transactionId)) {
    throw new AppError('TRANSACTION_DUPLICATE', 'conflict', 'a transaction with this id was added already', { details: { field: 'transactionId' } });
  }
  const { type: _type, ...data } = command;
  return [{ type: 'TransactionAdded', ...data }];
}
