import { isDeepStrictEqual } from 'node:util';
import { AppError } from '@crm/errors';
import type { Decider } from '@crm/eventstore';
import { RECTIFIABLE_UNITS, setAt, unsetAt, valueAt, type ContactData, type ContactPatch, type TransactionData } from '../contact-schema/index.js';

/**
 * Why processing is restricted: the four grounds of GDPR Art. 18(1)(a)–(d). A code, never free text, so the event
 * stays PII-free and the processing register can count restrictions by ground.
 */
export const RESTRICTION_REASONS = ['accuracy-contested', 'unlawful-processing', 'legal-claims', 'objection-pending'] as const;
export type RestrictionReason = (typeof RESTRICTION_REASONS)[number];

// Commands carry data already validated by `validateContactInput` / `validateContactPatch` /
// `validateTransactionInput` at the edge (where the special-category switch lives); the decider guards the
// aggregate's lifecycle. Actor, purpose and legal basis travel in the envelope metadata, not here.
export interface CreateContact {
  type: 'CreateContact';
  contactId: string;
  data: ContactData;
}
export interface RectifyContact {
  type: 'RectifyContact';
  contactId: string;
  patch: ContactPatch;
}
export interface AddTransaction extends TransactionData {
  type: 'AddTransaction';
  contactId: string;
  transactionId: string;
}
export interface RestrictProcessing {
  type: 'RestrictProcessing';
  contactId: string;
  reason: RestrictionReason;
}
export interface LiftRestriction {
  type: 'LiftRestriction';
  contactId: string;
}
export interface EraseContact {
  type: 'EraseContact';
  contactId: string;
}
export type ContactCommand = CreateContact | RectifyContact | AddTransaction | RestrictProcessing | LiftRestriction | EraseContact;

export interface ContactCreated {
  type: 'ContactCreated';
  contactId: string;
  data: ContactData;
}
/** Only the units that changed: a new value, or `null` where a value was removed. */
export interface ContactRectified {
  type: 'ContactRectified';
  contactId: string;
  changes: ContactPatch;
}
export interface TransactionAdded extends TransactionData {
  type: 'TransactionAdded';
  contactId: string;
  transactionId: string;
}
export interface ProcessingRestricted {
  type: 'ProcessingRestricted';
  contactId: string;
  reason: RestrictionReason;
}
export interface RestrictionLifted {
  type: 'RestrictionLifted';
  contactId: string;
}
/** PII-free by construction: it outlives the subject's key and must stay readable as history. */
export interface ContactErased {
  type: 'ContactErased';
  contactId: string;
}
export type ContactEvent = ContactCreated | ContactRectified | TransactionAdded | ProcessingRestricted | RestrictionLifted | ContactErased;

export interface ContactState {
  status: 'absent' | 'active' | 'erased';
  restricted: boolean;
  /** Why, while restricted (the read model shows it; the decision needs only `restricted`). */
  restrictionReason?: RestrictionReason;
  /** The current data, for diffing rectifications. Emptied on erasure: an erased contact's state holds no PII. */
  data: ContactData;
  transactionIds: ReadonlySet<string>;
}

export const contactNotFound = (): AppError => new AppError('CONTACT_NOT_FOUND', 'not_found', 'no contact with this id');

export const contactDecider: Decider<ContactCommand, ContactState, ContactEvent> = {
  initialState: () => ({ status: 'absent', restricted: false, data: {}, transactionIds: new Set() }),

  decide(command, state) {
    if (state.status === 'erased') {
      // Erasure is final; repeating it is a no-op so that a retried DSAR or a replayed job cannot fail.
      if (command.type === 'EraseContact') return [];
      throw new AppError('CONTACT_ERASED', 'gone', 'this contact has been erased');
    }
    if (command.type === 'CreateContact') {
      if (state.status === 'active') throw new AppError('CONTACT_ALREADY_EXISTS', 'conflict', 'a contact with this id exists already');
      return [{ type: 'ContactCreated', contactId: command.contactId, data: command.data }];
    }
    if (state.status === 'absent') throw contactNotFound();
    switch (command.type) {
      case 'RectifyContact': {
        assertNotRestricted(state);
        const changes = diff(state.data, command.patch);
        return changes === undefined ? [] : [{ type: 'ContactRectified', contactId: command.contactId, changes }];
      }
      case 'AddTransaction': {
        assertNotRestricted(state);
        if (state.transactionIds.has(command.transactionId)) {
          throw new AppError('TRANSACTION_DUPLICATE', 'conflict', 'a transaction with this id was added already', { details: { field: 'transactionId' } });
        }
        const { type: _type, ...data } = command;
        return [{ type: 'TransactionAdded', ...data }];
      }
      case 'RestrictProcessing':
        return state.restricted ? [] : [{ type: 'ProcessingRestricted', contactId: command.contactId, reason: command.reason }];
      case 'LiftRestriction':
        return state.restricted ? [{ type: 'RestrictionLifted', contactId: command.contactId }] : [];
      // Art. 17 overrides Art. 18: a restricted contact can still be erased.
      case 'EraseContact':
        return [{ type: 'ContactErased', contactId: command.contactId }];
      default: {
        const _exhaustive: never = command;
        return _exhaustive;
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'ContactCreated':
        return { ...state, status: 'active', data: event.data };
      case 'ContactRectified':
        return { ...state, data: applyPatch(state.data, event.changes) };
      case 'TransactionAdded':
        return { ...state, transactionIds: new Set([...state.transactionIds, event.transactionId]) };
      case 'ProcessingRestricted':
        return { ...state, restricted: true, restrictionReason: event.reason };
      case 'RestrictionLifted': {
        const { restrictionReason: _lifted, ...rest } = state;
        return { ...rest, restricted: false };
      }
      case 'ContactErased':
        return { status: 'erased', restricted: false, data: {}, transactionIds: new Set() };
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  },
};

/** Art. 18(2): while restricted, the data may be stored but not processed, and changing it is processing. */
function assertNotRestricted(state: ContactState): void {
  if (state.restricted) throw new AppError('CONTACT_RESTRICTED', 'conflict', 'processing of this contact is restricted; lift the restriction first');
}

type Tree = Record<string, unknown>;

/** The patch reduced to the units whose value actually changes; `undefined` when nothing does. */
function diff(current: ContactData, patch: ContactPatch): ContactPatch | undefined {
  let changes: Tree | undefined;
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

function applyPatch(data: ContactData, changes: ContactPatch): ContactData {
  const next = structuredClone(data) as Tree;
  for (const unit of RECTIFIABLE_UNITS) {
    const value = valueAt(changes, unit);
    if (value === undefined) continue;
    if (value === null) unsetAt(next, unit);
    else setAt(next, unit, structuredClone(value));
  }
  return next as ContactData;
}
