import { generateKeyPairSync } from 'node:crypto';
import { consistencyProof, MerkleTree } from '@crm/merkle';
import { sampleEntry } from '../testing/audit.fixtures.js';
import type { StoredAuditEntry } from '../trail/audit-entry.model.js';
import { entryLeafHash } from '../trail/entry.canonical.js';
import { signTreeHead, type TreeHead } from '../tree-heads/tree-head.codec.js';
import { TreeHeadKey } from '../tree-heads/tree-head.key.js';
import { verifyAuditLog, type VerifyAuditLogInput } from './audit-log.verifier.js';

const key = TreeHeadKey.fromPrivateKey(generateKeyPairSync('ed25519').privateKey);
const LOG = 'log-a';
const honest = Array.from({ length: 23 }, (_, i) => sampleEntry(i));
const tree = MerkleTree.fromLeafHashes(honest.map((entry) => entry.leafHash));
const headAt = (size: number, signWith: TreeHeadKey = key): TreeHead =>
  signTreeHead(signWith, { logId: LOG, treeSize: size, rootHash: tree.rootAt(size), timestamp: new Date(1_700_000_000_000 + size) });
const heads = [headAt(5), headAt(16), headAt(20)];

async function* rows(entries: readonly StoredAuditEntry[]): AsyncGenerator<StoredAuditEntry> {
  yield* entries;
}

function verify(entries: readonly StoredAuditEntry[], overrides: Partial<VerifyAuditLogInput> = {}) {
  return verifyAuditLog({ key, logId: LOG, heads, entries: rows(entries), ...overrides });
}

const codes = async (entries: readonly StoredAuditEntry[], overrides: Partial<VerifyAuditLogInput> = {}) =>
  [...new Set((await verify(entries, overrides)).problems.map((p) => p.code))].sort();

/** An entry rewritten by someone who also recomputed its stored leaf hash, so only the signed roots can tell. */
const rehashed = (entry: StoredAuditEntry): StoredAuditEntry => ({ ...entry, leafHash: entryLeafHash(entry) });

describe('the audit log verifier', () => {
  it('given an honest log and its heads, then it verifies, and reports the unsigned tail', async () => {
    const verdict = await verify(honest);
    expect(verdict).toMatchObject({ verified: true, entries: 23, headsChecked: 3, unsignedEntries: 3, problems: [] });
    expect(verdict.latestHead?.treeSize).toBe(20);
  });

  it('given an entry changed in place (stored hash left as it was), then ENTRY_HASH_MISMATCH and ROOT_MISMATCH', async () => {
    const changed = honest.map((entry) => (entry.leafIndex === 7 ? { ...entry, purpose: 'marketing' } : entry));
    expect(await codes(changed)).toEqual(['ENTRY_HASH_MISMATCH', 'ROOT_MISMATCH']);
  });

  it('given an entry changed and its leaf hash recomputed, then the signed roots still catch it', async () => {
    const changed = honest.map((entry) => (entry.leafIndex === 7 ? rehashed({ ...entry, actorId: 'someone-else' }) : entry));
    const verdict = await verify(changed);
    expect(verdict.problems.map((p) => [p.code, p.treeSize])).toEqual([
      ['ROOT_MISMATCH', 16],
      ['ROOT_MISMATCH', 20],
    ]);
  });

  it('given an entry deleted, then ENTRY_INDEX_GAP and ROOT_MISMATCH', async () => {
    expect(await codes(honest.filter((entry) => entry.leafIndex !== 3))).toEqual(['ENTRY_INDEX_GAP', 'ROOT_MISMATCH']);
  });

  it('given two entries swapped (indexes and hashes rewritten to look dense), then ROOT_MISMATCH', async () => {
    const swapped = [...honest];
    swapped[2] = rehashed({ ...honest[3]!, leafIndex: 2 });
    swapped[3] = rehashed({ ...honest[2]!, leafIndex: 3 });
    expect(await codes(swapped)).toEqual(['ROOT_MISMATCH']);
  });

  it('given an entry inserted in the middle (later indexes shifted and rehashed), then ROOT_MISMATCH', async () => {
    const inserted = [
      ...honest.slice(0, 4),
      sampleEntry(4, { eventId: 'planted' }),
      ...honest.slice(4).map((entry) => rehashed({ ...entry, leafIndex: entry.leafIndex + 1 })),
    ];
    expect(await codes(inserted)).toEqual(['ROOT_MISMATCH']);
  });

  it('given the tail truncated below the latest head, then LOG_TRUNCATED', async () => {
    expect(await codes(honest.slice(0, 18))).toEqual(['LOG_TRUNCATED']);
  });

  it('given entries added after the latest head, then that is not tampering (they are reported as unsigned)', async () => {
    const grown = [...honest, sampleEntry(23), sampleEntry(24)];
    expect(await verify(grown)).toMatchObject({ verified: true, unsignedEntries: 5 });
  });

  it('given a head forged with another key, then TREE_HEAD_SIGNATURE_INVALID and it is not used', async () => {
    const other = TreeHeadKey.fromPrivateKey(generateKeyPairSync('ed25519').privateKey);
    const forged = { ...headAt(22, other), keyId: key.keyId };
    const verdict = await verify(honest, { heads: [...heads, forged] });
    expect(verdict.problems.map((p) => p.code)).toEqual(['TREE_HEAD_SIGNATURE_INVALID']);
    expect(verdict.headsChecked).toBe(3);
  });

  it('given two validly signed heads of one size with different roots (a forked log), then TREE_HEADS_INCONSISTENT', async () => {
    const fork = signTreeHead(key, { logId: LOG, treeSize: 16, rootHash: tree.rootAt(15), timestamp: new Date() });
    expect(await codes(honest, { heads: [...heads, fork] })).toContain('TREE_HEADS_INCONSISTENT');
  });

  it('given heads of another log, then they are ignored; given no head at all over a non-empty log, then NO_TREE_HEADS', async () => {
    const foreign = signTreeHead(key, { logId: 'log-b', treeSize: 3, rootHash: new Uint8Array(32), timestamp: new Date() });
    expect(await verify(honest, { heads: [...heads, foreign] })).toMatchObject({ verified: true, headsChecked: 3 });
    expect(await codes(honest, { heads: [foreign] })).toEqual(['NO_TREE_HEADS']);
    expect(await verify([], { heads: [] })).toMatchObject({ verified: true, entries: 0 });
  });

  it('given a prover (API mode), then honest consistency proofs pass and forged ones are rejected', async () => {
    const hashes = honest.map((entry) => entry.leafHash);
    const honestProver = (oldSize: number, newSize: number) => Promise.resolve(consistencyProof(oldSize, newSize, hashes));
    expect(await verify(honest, { consistencyProof: honestProver })).toMatchObject({ verified: true });

    const flipped = (oldSize: number, newSize: number) =>
      honestProver(oldSize, newSize).then((proof) => proof.map((node, i) => (i === 0 ? node.map((byte, j) => (j === 0 ? byte ^ 1 : byte)) : node)));
    expect(await codes(honest, { consistencyProof: flipped })).toEqual(['TREE_HEADS_INCONSISTENT']);
    const failing = () => Promise.reject(new Error('unreachable'));
    expect(await codes(honest, { consistencyProof: failing })).toEqual(['TREE_HEADS_INCONSISTENT']);
  });
});
