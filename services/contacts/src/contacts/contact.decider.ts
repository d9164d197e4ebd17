import { contactsApi } from '@crm/api-contract';
import type { Decider } from '@crm/eventstore';
import { RECTIFIABLE_UNITS, setAt, unsetAt, valueAt, type ContactData, type ContactPatch, type TransactionData } from '../contact-schema/index.js';
import { decideAddPurchase } from './add-purchase/add-purchase.decision.js';
import { decideCreateContact } from './create-contact/create-contact.decision.js';
import { decideEraseContact } from './erase-contact/erase-contact.decision.js';
import { decideLiftRestriction } from './lift-restriction/lift-restriction.decision.js';
import { decideRectifyContact } from './rectify-contact/rectify-contact.decision.js';
import { decideRestrictProcessing } from './restrict-processing/restrict-processing.decision.js';

/**
 * Why processing is restricted: the four grounds of GDPR Art. 18(1)(a)–(d). A code, never free text, so the event
 * stays PII-free and the processing register can count restrictions by ground.
 */
export const { RESTRICTION_REASONS } = contactsApi;
export type RestrictionReason = (typeof RESTRICTION_REASONS)[number];

// Commands carry data already validated by `validateContactInput` / `validateContactPatch` /
// `validateTransactionInput` at the edge (where the special-category switch lives); the decisions guard the
// aggregate's lifecycle (`contact.invariants.ts`). Actor, purpose and legal basis travel in the envelope metadata.
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

// Where the read model and the services have always found it.
export { contactNotFound } from './contact.invariants.js';

/** The contact aggregate: each command is decided in its use case's folder (`<use-case>/<use-case>.decision.ts`). */
export const contactDecider: Decider<ContactCommand, ContactState, ContactEvent> = {
  initialState: () => ({ status: 'absent', restricted: false, data: {}, transactionIds: new Set() }),

  decide(command, state) {
    switch (command.type) {
      case 'CreateContact':
        return decideCreateContact(command, state);
      case 'RectifyContact':
        return decideRectifyContact(command, state);
      case 'AddTransaction':
        return decideAddPurchase(command, state);
      case 'RestrictProcessing':
        return decideRestrictProcessing(command, state);
      case 'LiftRestriction':
        return decideLiftRestriction(command, state);
      case 'EraseContact':
        return decideEraseContact(command, state);
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

type Tree = Record<string, unknown>;

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
