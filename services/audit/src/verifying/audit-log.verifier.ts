import { MerkleTree, toHex, verifyConsistency } from '@crm/merkle';
import type { StoredAuditEntry } from '../trail/audit-entry.model.js';
import { entryLeafHash } from '../trail/entry.canonical.js';
import { sameBytes } from '../tree-heads/bytes.js';
import { treeHeadToView, verifyTreeHeadSignature, type TreeHead, type TreeHeadView } from '../tree-heads/tree-head.codec.js';
import type { TreeHeadKey } from '../tree-heads/tree-head.key.js';

export const VERIFICATION_PROBLEMS = [
  /** Entries exist but no valid head signs any of them: nothing to check them against. */
  'NO_TREE_HEADS',
  /** A head of this log whose signature does not verify under the pinned key: forged or corrupted. */
  'TREE_HEAD_SIGNATURE_INVALID',
  /** A message on the heads topic that is not a head. */
  'TREE_HEAD_UNDECODABLE',
  /** Two validly signed heads of one size with different roots, or a consistency proof between heads that fails: a forked log. */
  'TREE_HEADS_INCONSISTENT',
  /** Leaf indexes are not 0, 1, 2, …: an entry was deleted, inserted or moved. */
  'ENTRY_INDEX_GAP',
  /** An entry's content no longer hashes to the leaf hash stored with it: the entry was changed. */
  'ENTRY_HASH_MISMATCH',
  /** The log holds fewer entries than a signed head covers: its tail was cut. */
  'LOG_TRUNCATED',
  /** The entries recomputed from the store do not hash to a signed root: history was rewritten. */
  'ROOT_MISMATCH',
] as const;
export type VerificationProblemCode = (typeof VERIFICATION_PROBLEMS)[number];

export interface VerificationProblem {
  code: VerificationProblemCode;
  message: string;
  leafIndex?: number;
  treeSize?: number;
}

export interface Verdict {
  verified: boolean;
  logId: string;
  /** Entries read from the store. */
  entries: number;
  /** Validly signed heads of this log that were checked. */
  headsChecked: number;
  latestHead: TreeHeadView | undefined;
  /** Entries after the latest head: recorded but not yet signed, so not yet tamper-evident. */
  unsignedEntries: number;
  problems: VerificationProblem[];
}

export interface VerifyAuditLogInput {
  /** The public key the verifier trusts, obtained out of band (pinned). */
  key: TreeHeadKey;
  logId: string;
  /** Heads as read from Kafka (any log); those of other logs are ignored. */
  heads: readonly TreeHead[];
  undecodableHeads?: number;
  /** The log's entries in leaf order, as stored (database rows or API pages); the verifier rehashes each. */
  entries: AsyncIterable<StoredAuditEntry>;
  /** When given (API mode), consecutive heads are also checked for consistency with proofs from this prover. */
  consistencyProof?: (oldSize: number, newSize: number) => Promise<Uint8Array[]>;
}

const MAX_PROBLEMS_PER_CODE = 10;

/**
 * Checks an audit log against its signed tree heads without trusting whoever stores it: every head's signature
 * under the pinned key, the heads against each other, every entry rehashed from its fields (the stored leaf hash
 * is compared, never used), the tree rebuilt, and each signed root compared with the rebuilt tree at its size.
 * Changing, deleting, reordering or inserting an entry covered by a head, or cutting the tail, changes a root.
 */
export async function verifyAuditLog(input: VerifyAuditLogInput): Promise<Verdict> {
  const problems: VerificationProblem[] = [];
  const counts = new Map<VerificationProblemCode, number>();
  const report = (problem: VerificationProblem): void => {
    const count = (counts.get(problem.code) ?? 0) + 1;
    counts.set(problem.code, count);
    if (count <= MAX_PROBLEMS_PER_CODE) problems.push(problem);
  };

  if ((input.undecodableHeads ?? 0) > 0) {
    report({ code: 'TREE_HEAD_UNDECODABLE', message: `${input.undecodableHeads} message(s) on the heads topic are not signed tree heads` });
  }
  const valid: TreeHead[] = [];
  for (const head of input.heads.filter((candidate) => candidate.logId === input.logId)) {
    if (verifyTreeHeadSignature(head, input.key)) valid.push(head);
    else
      report({
        code: 'TREE_HEAD_SIGNATURE_INVALID',
        message: `a head claiming size ${head.treeSize} is not signed by the pinned key`,
        treeSize: head.treeSize,
      });
  }
  valid.sort((a, b) => a.treeSize - b.treeSize);
  const bySize = new Map<number, TreeHead>();
  for (const head of valid) {
    const seen = bySize.get(head.treeSize);
    if (seen === undefined) bySize.set(head.treeSize, head);
    else if (!sameBytes(seen.rootHash, head.rootHash)) {
      report({ code: 'TREE_HEADS_INCONSISTENT', message: `two signed heads of size ${head.treeSize} have different roots`, treeSize: head.treeSize });
    }
  }
  const distinct = [...bySize.values()];
  if (input.consistencyProof !== undefined) {
    for (let i = 1; i < distinct.length; i++) {
      const older = distinct[i - 1]!;
      const newer = distinct[i]!;
      const proof = await input.consistencyProof(older.treeSize, newer.treeSize).catch(() => undefined);
      if (proof === undefined || !verifyConsistency(older.treeSize, newer.treeSize, older.rootHash, newer.rootHash, proof)) {
        report({
          code: 'TREE_HEADS_INCONSISTENT',
          message: `no valid consistency proof from head ${older.treeSize} to head ${newer.treeSize}`,
          treeSize: newer.treeSize,
        });
      }
    }
  }

  const tree = new MerkleTree();
  let expected = 0;
  for await (const entry of input.entries) {
    if (entry.leafIndex !== expected) {
      report({
        code: 'ENTRY_INDEX_GAP',
        message: entry.leafIndex > expected ? `entries ${expected}..${entry.leafIndex - 1} are missing` : `entry ${entry.leafIndex} appears out of order`,
        leafIndex: expected,
      });
    }
    expected = entry.leafIndex + 1;
    const recomputed = entryLeafHash(entry);
    if (!sameBytes(recomputed, entry.leafHash)) {
      report({ code: 'ENTRY_HASH_MISMATCH', message: `entry ${entry.leafIndex} does not hash to its stored leaf hash`, leafIndex: entry.leafIndex });
    }
    tree.appendLeafHash(recomputed);
  }

  for (const head of distinct) {
    if (head.treeSize > tree.size) {
      report({ code: 'LOG_TRUNCATED', message: `a head signs ${head.treeSize} entries but the log holds ${tree.size}`, treeSize: head.treeSize });
    } else if (!sameBytes(tree.rootAt(head.treeSize), head.rootHash)) {
      report({
        code: 'ROOT_MISMATCH',
        message: `the first ${head.treeSize} entries hash to ${toHex(tree.rootAt(head.treeSize))}, not to the signed root`,
        treeSize: head.treeSize,
      });
    }
  }
  const latest = distinct.at(-1);
  if (latest === undefined && tree.size > 0)
    report({ code: 'NO_TREE_HEADS', message: `${tree.size} entries but no head of log ${input.logId} signed by the pinned key` });

  return {
    verified: problems.length === 0,
    logId: input.logId,
    entries: tree.size,
    headsChecked: distinct.length,
    latestHead: latest === undefined ? undefined : treeHeadToView(latest),
    unsignedEntries: Math.max(0, tree.size - (latest?.treeSize ?? 0)),
    problems,
  };
}
