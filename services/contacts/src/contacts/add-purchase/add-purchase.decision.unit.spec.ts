import { created, givenHistoryOf, restricted, transaction } from '../../testing/contact-history.fixture.js';
import { decideAddPurchase } from './add-purchase.decision.js';

const given = givenHistoryOf(decideAddPurchase);

describe('AddTransaction', () => {
  it('given a contact, when a transaction is added, then TransactionAdded carries it', () => {
    expect(given(created).when({ type: 'AddTransaction', ...transaction })).toEqual([{ type: 'TransactionAdded', ...transaction }]);
  });

  it('given the transaction id was used, when added again, then TRANSACTION_DUPLICATE', () => {
    const error = given(created, { type: 'TransactionAdded', ...transaction }).refuses({ type: 'AddTransaction', ...transaction, description: 'other' });
    expect([error.code, error.kind, error.details]).toEqual(['TRANSACTION_DUPLICATE', 'conflict', { field: 'transactionId' }]);
  });

  it('given a restricted contact, when a transaction is added, then CONTACT_RESTRICTED', () => {
    expect(given(created, restricted).refuses({ type: 'AddTransaction', ...transaction }).code).toBe('CONTACT_RESTRICTED');
  });
});
