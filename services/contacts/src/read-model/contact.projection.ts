import { Inject, Injectable } from '@nestjs/common';
import { isCryptoError, sealedFieldFromBytes, sealedFieldToBytes, type BlindIndexer, type FieldCipher } from '@crm/crypto';
import { AppError } from '@crm/http';
import { BLIND_INDEXER, FIELD_CIPHER } from '@crm/platform';
import type { PoolClient } from '@crm/postgres';
import type { ContactData } from '../contact-schema/index.js';
import type { ContactEvent, ContactState } from '../contacts/contact.decider.js';
import { SEARCH_INDEXES, type SearchIndex } from '../contacts/contact.streams.js';
import { ContactsRepository, type ContactRow, type RecordRow, type SearchCriteria, type SearchToken, type TransactionRow } from './contacts.repository.js';

/** Bound fields of the read model's sealed blobs (AAD), distinct from the event fields (`contacts.<unit>`). */
const RECORD_FIELD = 'contacts.read-model.record';
const TRANSACTION_FIELD = 'contacts.read-model.transaction';

/** One contact's change as the read model applies it: its new version and state, and the events that made it. */
export interface ContactChange {
  contactId: string;
  version: bigint;
  state: ContactState;
  events: readonly ContactEvent[];
  at: Date;
}

export interface TransactionDetails {
  description: string;
  occurredAt: string;
}

/**
 * Keeps the read model in step with the events, inside the command's transaction: what a client reads after a write
 * is what it wrote. The personal data is sealed again with the contact's key (a read-model row is a copy, and every
 * copy must die with the key); search tokens are blind indexes, never values.
 */
@Injectable()
export class ContactProjection {
  constructor(
    private readonly contacts: ContactsRepository,
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
    @Inject(BLIND_INDEXER) private readonly indexer: BlindIndexer<SearchIndex>,
  ) {}

  async apply(db: PoolClient, contactId: string, version: bigint, state: ContactState, events: readonly ContactEvent[], at: Date): Promise<void> {
    await this.applyMany(db, [{ contactId, version, state, events, at }]);
  }

  /** The changes of many contacts (one each: a commit group), in a few set-wise statements whatever their number. */
  async applyMany(db: PoolClient, changes: readonly ContactChange[]): Promise<void> {
    const records: Array<{ row: RecordRow; tokens: SearchToken[] }> = [];
    const touches: Parameters<ContactsRepository['touchMany']>[1][number][] = [];
    const transactions: Parameters<ContactsRepository['insertTransactions']>[1][number][] = [];
    for (const { contactId, version, state, events, at } of changes) {
      if (state.status === 'erased') {
        await this.contacts.purge(db, contactId, at);
        continue;
      }
      if (events.some((event) => event.type === 'ContactCreated' || event.type === 'ContactRectified')) {
        const record = sealedFieldToBytes(await this.cipher.seal(contactId, RECORD_FIELD, JSON.stringify(state.data)));
        const row = {
          contact_id: contactId,
          version: version.toString(),
          restricted: state.restricted,
          restriction_reason: state.restrictionReason ?? null,
          record_sealed: record,
          updated_at: at,
        };
        records.push({ row, tokens: this.tokensOf(state.data) });
      } else {
        touches.push({ contactId, version, restricted: state.restricted, reason: state.restrictionReason ?? null, at });
      }
      for (const event of events) {
        if (event.type !== 'TransactionAdded') continue;
        const details: TransactionDetails = { description: event.description, occurredAt: event.occurredAt };
        const sealed = sealedFieldToBytes(await this.cipher.seal(contactId, TRANSACTION_FIELD, JSON.stringify(details)));
        const row = { transaction_id: event.transactionId, amount_cents: event.amountCents.toString(), currency: event.currency, details_sealed: sealed };
        transactions.push({ contactId, row, at });
      }
    }
    await this.contacts.upsertRecords(db, records);
    await this.contacts.touchMany(db, touches);
    await this.contacts.insertTransactions(db, transactions);
  }

  async openRecord(row: ContactRow): Promise<ContactData> {
    return JSON.parse(await this.#open(row.contact_id, RECORD_FIELD, row.record_sealed)) as ContactData;
  }

  async openTransaction(contactId: string, row: TransactionRow): Promise<TransactionDetails> {
    return JSON.parse(await this.#open(contactId, TRANSACTION_FIELD, row.details_sealed)) as TransactionDetails;
  }

  /** The tokens a query looks for; a value that cannot be an e-mail, a phone or a name is the caller's error. */
  queryTokens(criteria: SearchCriteria): SearchToken[] {
    try {
      return [
        ...(criteria.email === undefined ? [] : [{ index: SEARCH_INDEXES.email, token: this.indexer.blindIndex(SEARCH_INDEXES.email, criteria.email) }]),
        ...(criteria.phone === undefined ? [] : [{ index: SEARCH_INDEXES.phone, token: this.indexer.blindIndex(SEARCH_INDEXES.phone, criteria.phone) }]),
        ...(criteria.nameTokens ?? []).flatMap((name) =>
          this.indexer.blindIndexTokens(SEARCH_INDEXES.name, name).map((token) => ({ index: SEARCH_INDEXES.name, token })),
        ),
      ].filter((token, index, all) => all.findIndex((other) => other.index === token.index && other.token === token.token) === index);
    } catch (error) {
      if (isCryptoError(error, 'BLIND_INDEX_VALUE_INVALID')) {
        throw new AppError('CONTACT_SEARCH_INVALID', 'invalid', 'a search value is not a valid e-mail, phone number or name', { cause: error });
      }
      throw error;
    }
  }

  tokensOf(data: ContactData): SearchToken[] {
    const name = [data.name?.given, data.name?.family].filter((part) => part !== undefined && /\p{L}/u.test(part)).join(' ');
    const tokens: SearchToken[] = [
      ...(data.emails ?? []).map((email) => ({ index: SEARCH_INDEXES.email, token: this.indexer.blindIndex(SEARCH_INDEXES.email, email) })),
      ...(data.phones ?? []).map((phone) => ({ index: SEARCH_INDEXES.phone, token: this.indexer.blindIndex(SEARCH_INDEXES.phone, phone) })),
      ...(name === '' ? [] : this.indexer.blindIndexTokens(SEARCH_INDEXES.name, name).map((token) => ({ index: SEARCH_INDEXES.name, token }))),
    ];
    return tokens;
  }

  async #open(contactId: string, field: string, bytes: Buffer): Promise<string> {
    try {
      return await this.cipher.openText(contactId, field, sealedFieldFromBytes(bytes));
    } catch (error) {
      // A row whose key is gone is an erasure that has not been purged yet: the contact no longer exists.
      if (isCryptoError(error, 'KEY_SHREDDED')) throw contactErased(error);
      throw error;
    }
  }
}

export function contactErased(cause?: unknown): AppError {
  return new AppError('CONTACT_ERASED', 'gone', 'this contact has been erased', { cause });
}

export { contactNotFound } from '../contacts/contact.decider.js';
