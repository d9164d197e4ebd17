import { Inject, Injectable } from '@nestjs/common';
import type { SubjectShredder } from '@crm/crypto';
import { AppError } from '@crm/http';
import type { CommandPipeline } from '@crm/eventstore';
import { COMMAND_PIPELINE, SUBJECT_SHREDDER } from '@crm/platform';
import { ContactWriteModel } from '../contacts/contact.write-model.js';
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
  constructor(
    @Inject(COMMAND_PIPELINE) private readonly pipeline: CommandPipeline,
    @Inject(SUBJECT_SHREDDER) private readonly shredder: SubjectShredder,
    private readonly model: ContactWriteModel,
    private readonly contacts: ContactsRepository,
    private readonly purchases: TransactionPurge,
  ) {}

  async erase(contactId: string, context: ProcessingContext): Promise<ErasureReceipt> {
    if (!ContactsRepository.isContactId(contactId)) throw contactNotFound();
    const row = await this.contacts.byId(contactId);
    if (row === undefined) return this.#erasedBefore(contactId);
    const shred = await this.shredder.shredSubject(contactId, 'ERASURE_REQUEST');
    // Through the one write path: the locked row says "it exists and is not erased" (a write under way finishes
    // first; its sealed data dies with the key all the same); the decision appends the PII-free ContactErased and the
    // model's state rows purge the contact to a tombstone, in one transaction.
    try {
      await this.pipeline.execute(this.model, { type: 'EraseContact', contactId }, eventMetadata(context));
    } catch (error) {
      // A concurrent erasure purged it between our read and the lock: erased all the same.
      if (error instanceof AppError && error.code === 'CONTACT_ERASED') return this.#erasedBefore(contactId);
      throw error;
    }
    this.purchases.schedule(contactId);
    return { id: contactId, erasedAt: shred.erasedAt.toISOString(), alreadyErased: false };
  }

  /** Erasure is idempotent: shredding again is harmless, and heals an erasure interrupted after its purge. */
  async #erasedBefore(contactId: string): Promise<ErasureReceipt> {
    const erasedAt = await this.contacts.erasedAt(contactId);
    if (erasedAt === undefined) throw contactNotFound();
    await this.shredder.shredSubject(contactId, 'ERASURE_REQUEST');
    return { id: contactId, erasedAt: erasedAt.toISOString(), alreadyErased: true };
  }
}
