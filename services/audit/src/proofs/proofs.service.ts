import { Injectable } from '@nestjs/common';
import { toHex } from '@crm/merkle';
import { auditError } from '../audit.errors.js';
import { AuditRuntime } from '../audit.runtime.js';
import type { StoredAuditEntry } from '../trail/audit-entry.model.js';
import { toEntryView, type EntryView } from '../trail/entry.view.js';
import { treeHeadToView, type TreeHead, type TreeHeadView } from '../tree-heads/tree-head.codec.js';

export interface InclusionProofView {
  entry: EntryView;
  leafIndex: number;
  treeSize: number;
  rootHash: string;
  /** Sibling hashes from the leaf up (RFC 6962 §2.1.1), hex. */
  proof: string[];
  /** The signed head of `treeSize`, when one exists: what the proof must be checked against. */
  treeHead: TreeHeadView | null;
}

export interface ConsistencyProofView {
  fromSize: number;
  toSize: number;
  fromRoot: string;
  toRoot: string;
  /** RFC 6962 §2.1.2 nodes, hex. */
  proof: string[];
  fromHead: TreeHeadView | null;
  toHead: TreeHeadView | null;
}

const EVENT_ID = /^[\w.:-]{1,512}$/;
const LEAF_INDEX = /^\d{1,15}$/;

/**
 * Proofs from the in-memory tree. Roots returned here are only claims: a client checks a proof against a head
 * whose signature it verified, never against the `rootHash` in the same answer.
 */
@Injectable()
export class ProofsService {
  constructor(private readonly runtime: AuditRuntime) {}

  latestHead(): TreeHead {
    const latest = this.runtime.publisher.latest;
    if (latest === undefined) throw auditError('AUDIT_TREE_HEAD_UNAVAILABLE', 'no tree head has been signed yet');
    return latest;
  }

  async signNow(): Promise<TreeHead> {
    return this.runtime.publisher.signNow();
  }

  /** `id` is the source event id, or a leaf index. Without `treeSize`, against the latest head (signed now if it does not cover the entry). */
  async inclusion(id: string, treeSize: number | undefined): Promise<InclusionProofView> {
    const entry = await this.findEntry(id);
    await this.runtime.view.sync();
    let size = treeSize;
    if (size === undefined) {
      const latest = this.runtime.publisher.latest;
      size = latest !== undefined && latest.treeSize > entry.leafIndex ? latest.treeSize : (await this.runtime.publisher.signNow()).treeSize;
    }
    this.assertSize(size);
    if (entry.leafIndex >= size)
      throw auditError('AUDIT_ENTRY_NOT_IN_TREE', `entry ${entry.leafIndex} is not in the tree of size ${size}`, {
        details: { leafIndex: entry.leafIndex, treeSize: size },
      });
    const tree = this.runtime.view.tree;
    const head = this.runtime.publisher.headOfSize(size);
    return {
      entry: toEntryView(entry),
      leafIndex: entry.leafIndex,
      treeSize: size,
      rootHash: toHex(tree.rootAt(size)),
      proof: tree.inclusionProof(entry.leafIndex, size).map(toHex),
      treeHead: head === undefined ? null : treeHeadToView(head),
    };
  }

  /** Between two tree sizes; `to` defaults to the latest signed head. */
  async consistency(from: number, to: number | undefined): Promise<ConsistencyProofView> {
    await this.runtime.view.sync();
    const toSize = to ?? this.latestHead().treeSize;
    this.assertSize(from);
    this.assertSize(toSize);
    if (from > toSize) throw auditError('AUDIT_TREE_SIZE_INVALID', `from (${from}) must not exceed to (${toSize})`);
    const tree = this.runtime.view.tree;
    const fromHead = this.runtime.publisher.headOfSize(from);
    const toHead = this.runtime.publisher.headOfSize(toSize);
    return {
      fromSize: from,
      toSize,
      fromRoot: toHex(tree.rootAt(from)),
      toRoot: toHex(tree.rootAt(toSize)),
      proof: tree.consistencyProof(from, toSize).map(toHex),
      fromHead: fromHead === undefined ? null : treeHeadToView(fromHead),
      toHead: toHead === undefined ? null : treeHeadToView(toHead),
    };
  }

  private assertSize(size: number): void {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.runtime.view.size) {
      throw auditError('AUDIT_TREE_SIZE_INVALID', `tree size must be an integer in [0, ${this.runtime.view.size}]`, {
        details: { treeSize: this.runtime.view.size },
      });
    }
  }

  private async findEntry(id: string): Promise<StoredAuditEntry> {
    let entry: StoredAuditEntry | undefined;
    if (LEAF_INDEX.test(id)) entry = await this.runtime.store.byLeafIndex(Number(id));
    else if (EVENT_ID.test(id)) entry = await this.runtime.store.byEventId(id);
    if (entry === undefined) throw auditError('AUDIT_ENTRY_NOT_FOUND', 'no audit entry has that id');
    // The in-memory tree may not have reached it yet (another instance recorded it a moment ago).
    if (entry.leafIndex >= this.runtime.view.size) await this.runtime.view.sync();
    if (entry.leafIndex >= this.runtime.view.size) throw auditError('AUDIT_ENTRY_NOT_FOUND', 'the entry is not in the tree yet');
    return entry;
  }
}
