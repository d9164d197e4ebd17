import { Inject, Injectable } from '@nestjs/common';
import { ContactErasedSchema } from '@crm/contracts';
import type { ShredReason, ShredResult, SubjectShredder } from '@crm/crypto';
import { AppError } from '@crm/http';
import type { CommandPipeline, EventStore } from '@crm/eventstore';
import { COMMAND_PIPELINE, EVENT_STORE, SUBJECT_SHREDDER } from '@crm/platform';
import { contactStream } from '../contacts/contact.streams.js';
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
  /** The id of the PII-free `ContactErased` event (its audit entry's id, for an inclusion proof). */
  eventId?: string;
  /** The contact's entry in the key vault's erasure ledger: which key versions were destroyed, when and why. */
  ledger: { subjectId: string; erasedAt: string; reason: string; keyVersions: number[] };
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
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  /** `reason`: a person's request (the default), or a retention policy's end (the retention sweep). */
  async erase(contactId: string, context: ProcessingContext, reason: ShredReason = 'ERASURE_REQUEST'): Promise<ErasureReceipt> {
    if (!ContactsRepository.isContactId(contactId)) throw contactNotFound();
    const row = await this.contacts.byId(contactId);
    if (row === undefined) return this.#erasedBefore(contactId, reason);
    const shred = await this.shredder.shredSubject(contactId, reason);
    // Through the one write path: the locked row says "it exists and is not erased" (a write under way finishes
    // first; its sealed data dies with the key all the same); the decision appends the PII-free ContactErased and the
    // model's state rows purge the contact to a tombstone, in one transaction.
    let eventId: string | undefined;
    try {
      eventId = (await this.pipeline.execute(this.model, { type: 'EraseContact', contactId }, eventMetadata(context))).eventIds[0];
    } catch (error) {
      // A concurrent erasure purged it between our read and the lock: erased all the same.
      if (error instanceof AppError && error.code === 'CONTACT_ERASED') return this.#erasedBefore(contactId, reason);
      throw error;
    }
    this.purchases.schedule(contactId);
    return {
      id: contactId,
      erasedAt: shred.erasedAt.toISOString(),
      alreadyErased: false,
      ...(eventId === undefined ? {} : { eventId }),
      ledger: ledger(shred),
    };
  }

  /** Erasure is idempotent: shredding again is harmless, and heals an erasure interrupted after its purge. */
  async #erasedBefore(contactId: string, reason: ShredReason): Promise<ErasureReceipt> {
    const erasedAt = await this.contacts.erasedAt(contactId);
    if (erasedAt === undefined) throw contactNotFound();
    const shred = await this.shredder.shredSubject(contactId, reason);
    const eventId = await this.#erasedEventId(contactId);
    return { id: contactId, erasedAt: erasedAt.toISOString(), alreadyErased: true, ...(eventId === undefined ? {} : { eventId }), ledger: ledger(shred) };
  }

  /** The `ContactErased` of an earlier erasure: the last event of the contact's stream. */
  async #erasedEventId(contactId: string): Promise<string | undefined> {
    const events = await this.store.readStream(contactStream(contactId));
    return events.findLast((event) => event.envelope.payloadType === ContactErasedSchema.typeName)?.envelope.eventId;
  }
}

function ledger(shred: ShredResult): ErasureReceipt['ledger'] {
  return { subjectId: shred.subjectId, erasedAt: shred.erasedAt.toISOString(), reason: shred.reason, keyVersions: [...shred.keyVersions] };
}
