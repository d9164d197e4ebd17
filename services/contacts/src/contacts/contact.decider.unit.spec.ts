import type { AppError } from '@crm/errors';
import { fold } from '@crm/eventstore';
import { contactDecider, type ContactCommand, type ContactCreated, type ContactEvent, type ContactState } from './contact.decider.js';

const contactId = 'c-1';
const created: ContactCreated = {
  type: 'ContactCreated',
  contactId,
  data: { name: { given: 'Ann', family: 'Lee' }, emails: ['ann@example.com'], birthDate: '1990-01-01' },
};
const transaction = { contactId, transactionId: 't-1', description: 'Order 1', amountCents: 1999n, currency: 'EUR', occurredAt: '2025-03-01T10:00:00.000Z' };
const restricted: ContactEvent = { type: 'ProcessingRestricted', contactId, reason: 'accuracy-contested' };
const erased: ContactEvent = { type: 'ContactErased', contactId };

/** given(history).when(command) → the decided events, or the AppError thrown. */
function given(...history: ContactEvent[]) {
  const state: ContactState = fold(contactDecider, history);
  return {
    when: (command: ContactCommand) => contactDecider.decide(command, state),
    refuses: (command: ContactCommand): AppError => {
      try {
        contactDecider.decide(command, state);
      } catch (error) {
        return error as AppError;
      }
      throw new Error('expected the command to be refused');
    },
  };
}

describe('contact decider', () => {
  describe('CreateContact', () => {
    it('given no contact, when created, then ContactCreated carries the data', () => {
      expect(given().when({ type: 'CreateContact', contactId, data: created.data })).toEqual([created]);
    });

    it('given an existing contact, when created again, then CONTACT_ALREADY_EXISTS (conflict)', () => {
      const error = given(created).refuses({ type: 'CreateContact', contactId, data: {} });
      expect([error.code, error.kind]).toEqual(['CONTACT_ALREADY_EXISTS', 'conflict']);
    });
  });

  it.each<ContactCommand>([
    { type: 'RectifyContact', contactId, patch: { notes: ['x'] } },
    { type: 'AddTransaction', ...transaction },
    { type: 'RestrictProcessing', contactId, reason: 'legal-claims' },
    { type: 'LiftRestriction', contactId },
    { type: 'EraseContact', contactId },
  ])('given no contact, when $type, then CONTACT_NOT_FOUND', (command) => {
    const error = given().refuses(command);
    expect([error.code, error.kind]).toEqual(['CONTACT_NOT_FOUND', 'not_found']);
  });

  describe('RectifyContact', () => {
    it('given a contact, when rectified, then only the changed units are in the event, removals as null', () => {
      const events = given(created).when({
        type: 'RectifyContact',
        contactId,
        patch: { name: { given: 'Ann', family: 'Lee-Smith' }, emails: ['ann@example.com'], birthDate: null, phones: ['+4915123456789'], notes: null },
      });
      expect(events).toEqual([
        { type: 'ContactRectified', contactId, changes: { name: { family: 'Lee-Smith' }, birthDate: null, phones: ['+4915123456789'] } },
      ]);
      expect(fold(contactDecider, [created, ...events]).data).toEqual({
        name: { given: 'Ann', family: 'Lee-Smith' },
        emails: ['ann@example.com'],
        phones: ['+4915123456789'],
      });
    });

    it('given a rectify that changes nothing (same values, key order aside, or removing what is absent), then no events', () => {
      const withAddress: ContactEvent = { type: 'ContactCreated', contactId, data: { addresses: [{ street: 'Main 1', city: 'Berlin' }] } };
      expect(
        given(withAddress).when({ type: 'RectifyContact', contactId, patch: { addresses: [{ city: 'Berlin', street: 'Main 1' }], notes: null, name: {} } }),
      ).toEqual([]);
      expect(given(created).when({ type: 'RectifyContact', contactId, patch: {} })).toEqual([]);
    });

    it('given the last name part is removed, then the empty name object disappears from the state', () => {
      const history: ContactEvent[] = [created, { type: 'ContactRectified', contactId, changes: { name: { given: null, family: null } } }];
      expect(fold(contactDecider, history).data).toEqual({ emails: ['ann@example.com'], birthDate: '1990-01-01' });
    });

    it('given a restricted contact, when rectified, then CONTACT_RESTRICTED', () => {
      expect(given(created, restricted).refuses({ type: 'RectifyContact', contactId, patch: { notes: ['x'] } }).code).toBe('CONTACT_RESTRICTED');
    });
  });

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

  describe('restriction', () => {
    it('given a contact, when restricted, then ProcessingRestricted with the reason code; restricting again decides nothing', () => {
      expect(given(created).when({ type: 'RestrictProcessing', contactId, reason: 'accuracy-contested' })).toEqual([restricted]);
      expect(given(created, restricted).when({ type: 'RestrictProcessing', contactId, reason: 'legal-claims' })).toEqual([]);
    });

    it('given a restricted contact, when lifted, then RestrictionLifted and it can be rectified again; lifting an unrestricted one decides nothing', () => {
      const lifted: ContactEvent = { type: 'RestrictionLifted', contactId };
      expect(given(created, restricted).when({ type: 'LiftRestriction', contactId })).toEqual([lifted]);
      expect(given(created, restricted, lifted).when({ type: 'RectifyContact', contactId, patch: { notes: ['x'] } })).toHaveLength(1);
      expect(given(created).when({ type: 'LiftRestriction', contactId })).toEqual([]);
    });
  });

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

    it.each<ContactCommand>([
      { type: 'CreateContact', contactId, data: {} },
      { type: 'RectifyContact', contactId, patch: { notes: ['x'] } },
      { type: 'AddTransaction', ...transaction },
      { type: 'RestrictProcessing', contactId, reason: 'legal-claims' },
      { type: 'LiftRestriction', contactId },
    ])('given an erased contact, when $type, then CONTACT_ERASED (gone)', (command) => {
      const error = given(created, erased).refuses(command);
      expect([error.code, error.kind]).toEqual(['CONTACT_ERASED', 'gone']);
    });
  });

  describe('fold', () => {
    it('given a whole history, then the state holds what decisions need', () => {
      const state = fold(contactDecider, [
        created,
        { type: 'TransactionAdded', ...transaction },
        { type: 'ContactRectified', contactId, changes: { notes: ['vip'] } },
        restricted,
        { type: 'RestrictionLifted', contactId },
        { type: 'TransactionAdded', ...transaction, transactionId: 't-2' },
      ]);
      expect(state).toEqual({
        status: 'active',
        restricted: false,
        data: { name: { given: 'Ann', family: 'Lee' }, emails: ['ann@example.com'], birthDate: '1990-01-01', notes: ['vip'] },
        transactionIds: new Set(['t-1', 't-2']),
      });
    });

    it('given an erased history, then the state keeps no personal data', () => {
      const state = fold(contactDecider, [created, { type: 'TransactionAdded', ...transaction }, restricted, erased]);
      expect(state).toEqual({ status: 'erased', restricted: false, data: {}, transactionIds: new Set() });
    });

    it('does not mutate earlier states (evolve is pure)', () => {
      const before = fold(contactDecider, [created]);
      const snapshot = structuredClone(before);
      contactDecider.evolve(before, { type: 'ContactRectified', contactId, changes: { name: { given: null }, emails: null } });
      contactDecider.evolve(before, { type: 'TransactionAdded', ...transaction });
      expect(before).toEqual(snapshot);
    });
  });
});
