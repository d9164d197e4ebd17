import { fold } from '@crm/eventstore';
import { contactId, created, erased, givenHistoryOf, restricted, transaction } from '../testing/contact-history.fixture.js';
import { contactDecider, type ContactCommand, type ContactEvent } from './contact.decider.js';

// Each command's own rules are specified next to its decision (`<use-case>/<use-case>.decision.unit.spec.ts`); this
// spec covers what the decider adds: the lifecycle every command shares, and the fold.
const given = givenHistoryOf<ContactCommand>((command, state) => contactDecider.decide(command, state));

describe('contact decider', () => {
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

  it('dispatches each command to its decision', () => {
    expect(given().when({ type: 'CreateContact', contactId, data: created.data })).toEqual([created]);
    expect(given(created).when({ type: 'RestrictProcessing', contactId, reason: 'accuracy-contested' })).toEqual([restricted]);
    expect(given(created, restricted).when({ type: 'EraseContact', contactId })).toEqual([erased]);
  });

  describe('fold', () => {
    it('given the last name part is removed, then the empty name object disappears from the state', () => {
      const history: ContactEvent[] = [created, { type: 'ContactRectified', contactId, changes: { name: { given: null, family: null } } }];
      expect(fold(contactDecider, history).data).toEqual({ emails: ['ann@example.com'], birthDate: '1990-01-01' });
    });

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
