import { Inject, Injectable } from '@nestjs/common';
import type { SubjectShredder } from '@crm/crypto';
import type { EventStore } from '@crm/eventstore';
import { EVENT_STORE, FIELD_CIPHER, SUBJECT_SHREDDER } from '@crm/platform';
import { withTransaction } from '@crm/postgres';
import type { FieldCipher } from '@crm/crypto';
import { contactCodec } from '../contacts/contact.codec.js';
import { contactDecider } from '../contacts/contact.decider.js';
import { contactStream } from '../contacts/contact.streams.js';
import { eventMetadata, type ProcessingContext } from '../processing/processing-context.js';
import { contactNotFound } from '../read-model/contact.projection.js';
import { ContactsRepository } from '../read-model/contacts.repository.js';
import { TransactionPurge } from './transaction.purge.js';

export interface ErasureReceipt {
  id: string;
  erasedAt: string;
  /** Whether this call erased it, or it had been erased before (erasure is idempotent). */
  alreadyErased: boolean;
}

/**
 * Erasure (GDPR Art. 17) by crypto-shredding. The key goes first: from that moment every copy of the contact's
 * personal data — events in Postgres, both Kafka clusters, backups, read models — is unreadable. Then, in one
 * transaction, the PII-free `ContactErased` is appended and the read model purged to a tombstone; the contact's
 * purchases (ciphertext under the destroyed key) are deleted right after, off the request's path.
 *
 * Nothing here reads the contact's history, so erasing a contact with ten thousand events costs what erasing one
 * with ten does. A failure after the shred is healed by calling again: shredding is idempotent, and the contact's
 * row is still there to be purged.
 */
@Injectable()
export class ContactErasure {
  readonly #codec;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SUBJECT_SHREDDER) private readonly shredder: SubjectShredder,
    @Inject(FIELD_CIPHER) cipher: FieldCipher,
    private readonly contacts: ContactsRepository,
    private readonly purchases: TransactionPurge,
  ) {
    this.#codec = contactCodec(cipher);
  }

  async erase(contactId: string, context: ProcessingContext): Promise<ErasureReceipt> {
    if (!ContactsRepository.isContactId(contactId)) throw contactNotFound();
    const row = await this.contacts.byId(contactId);
    if (row === undefined) {
      const erasedAt = await this.contacts.erasedAt(contactId);
      if (erasedAt === undefined) throw contactNotFound();
      await this.shredder.shredSubject(contactId, 'ERASURE_REQUEST');
      return { id: contactId, erasedAt: erasedAt.toISOString(), alreadyErased: true };
    }
    const shred = await this.shredder.shredSubject(contactId, 'ERASURE_REQUEST');
    // The decision needs only "it exists and is not erased", which the locked read-model row says; the lock makes a
    // write that is under way finish first (its sealed data dies with the key all the same).
    const state = { ...contactDecider.initialState(), status: 'active' as const };
    const events = contactDecider.decide({ type: 'EraseContact', contactId }, state);
    const encoded = await Promise.all(events.map((event) => this.#codec.encode(event)));
    await withTransaction(this.contacts.pool, async (tx) => {
      const locked = await this.contacts.byId(contactId, tx, { forUpdate: true });
      if (locked === undefined) return; // a concurrent erasure purged it first
      await this.store.append(contactStream(contactId), BigInt(locked.version), encoded, eventMetadata(context), tx);
      await this.contacts.purge(tx, contactId, shred.erasedAt);
    });
    this.purchases.schedule(contactId);
    return { id: contactId, erasedAt: shred.erasedAt.toISOString(), alreadyErased: false };
  }
}
