import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ContactsRepository } from '../read-model/contacts.repository.js';

/**
 * Deletes an erased contact's purchases from the read model after the erasure has answered. They are ciphertext
 * under a destroyed key by then, so nothing is readable in the meantime; deleting them in chunks, off the erasure's
 * path, keeps erasure as fast for a customer with ten thousand purchases as for one with ten. At start (after the
 * read model's migration) it finishes any purge a crash interrupted.
 */
@Injectable()
export class TransactionPurge implements OnApplicationShutdown {
  readonly #logger = new Logger('TransactionPurge');
  readonly #running = new Set<Promise<void>>();

  constructor(private readonly contacts: ContactsRepository) {}

  /** Starts purging (one contact's purchases, or every erased contact's); returns at once. */
  schedule(contactId?: string): void {
    const run = this.purge(contactId)
      .catch((error: unknown) =>
        this.#logger.warn(`purging purchases of erased contacts failed; the next start finishes it (${error instanceof Error ? error.name : 'error'})`),
      )
      .finally(() => this.#running.delete(run));
    this.#running.add(run);
  }

  /** Purges until nothing is left; resolves when done (tests wait on this). */
  purge(contactId?: string): Promise<void> {
    return this.contacts.purgeErasedTransactions(contactId);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.#running]);
  }
}
