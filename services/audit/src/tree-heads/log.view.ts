import { MerkleTree } from '@crm/merkle';
import type { EntriesStore } from '../trail/entries.store.js';

const SYNC_CHUNK = 50_000;

/**
 * The Merkle tree over the audit entries, in memory: leaf hashes plus every complete subtree (libs/merkle), under
 * 64 bytes per entry, so proofs on millions of entries cost O(log² n) hashes and no database round trip.
 *
 * It follows the database: the ingester offers what it has just committed, and `sync` reads whatever other
 * instances appended. Appends are accepted strictly in leaf order, so an offer that races a sync is harmless.
 */
export class AuditLogView {
  readonly tree = new MerkleTree();
  #syncing: Promise<number> | undefined;

  constructor(private readonly store: EntriesStore) {}

  get size(): number {
    return this.tree.size;
  }

  /** Appends freshly committed entries when they continue the tree; anything else is left to `sync`. */
  offer(entries: ReadonlyArray<{ leafIndex: number; leafHash: Uint8Array }>): void {
    for (const entry of entries) {
      if (entry.leafIndex < this.tree.size) continue;
      if (entry.leafIndex > this.tree.size) return;
      this.tree.appendLeafHash(entry.leafHash);
    }
  }

  /** Catches up with the database; concurrent callers share one pass. Returns the tree size. */
  sync(): Promise<number> {
    this.#syncing ??= this.#sync().finally(() => {
      this.#syncing = undefined;
    });
    return this.#syncing;
  }

  async #sync(): Promise<number> {
    for (;;) {
      const rows = await this.store.leafHashes(this.tree.size, SYNC_CHUNK);
      const before = this.tree.size;
      this.offer(rows);
      // A gap (a missing leaf index) stops the tree where it is: signing past it would bless the hole.
      if (rows.length < SYNC_CHUNK || this.tree.size === before) return this.tree.size;
    }
  }
}
