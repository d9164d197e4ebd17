import { MerkleTree } from '@crm/merkle';
import { entryLeafHash } from '../trail/entry.canonical.js';
import type { EntriesStore } from '../trail/entries.store.js';
import { sameBytes } from './bytes.js';

const SYNC_CHUNK = 50_000;

/**
 * The Merkle tree over the audit entries, in memory: leaf hashes plus every complete subtree (libs/merkle), under
 * 64 bytes per entry, so proofs on millions of entries cost O(log² n) hashes and no database round trip.
 *
 * It follows the database: the ingester offers what it has just committed, and `sync` reads whatever other
 * instances appended. Appends are accepted strictly in leaf order, so an offer that races a sync is harmless.
 * `sync` recomputes every leaf hash from the entry's own fields rather than trusting the stored one: an entry changed
 * in the database (its stored hash left alone) stops the tree there and is reported in `broken`, so nothing is
 * signed over it.
 */
export class AuditLogView {
  readonly tree = new MerkleTree();
  #syncing: Promise<number> | undefined;
  #broken: { leafIndex: number } | undefined;

  constructor(private readonly store: EntriesStore) {}

  get size(): number {
    return this.tree.size;
  }

  /** The first entry whose fields no longer hash to its stored leaf hash, if a sync met one. */
  get broken(): { leafIndex: number } | undefined {
    return this.#broken;
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
      if (this.#broken !== undefined) return this.tree.size;
      const entries = await this.store.entriesAfter(this.tree.size - 1, SYNC_CHUNK);
      const before = this.tree.size;
      for (const entry of entries) {
        // A gap (a missing leaf index) stops the tree where it is: signing past it would bless the hole.
        if (entry.leafIndex !== this.tree.size) break;
        const recomputed = entryLeafHash(entry);
        if (!sameBytes(recomputed, entry.leafHash)) {
          this.#broken = { leafIndex: entry.leafIndex };
          break;
        }
        this.tree.appendLeafHash(recomputed);
      }
      if (entries.length < SYNC_CHUNK || this.tree.size === before) return this.tree.size;
    }
  }
}
