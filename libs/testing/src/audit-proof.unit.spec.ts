import { generateKeyPairSync, sign } from 'node:crypto';
import { MerkleTree, toHex } from '@crm/merkle';
import { auditKeyId, auditLeafHash, verifyAuditInclusion, type AuditEntryView, type AuditInclusionProofView, type SignedTreeHeadView } from './audit-proof.js';

// The outside verifier the end-to-end journey checks an erasure receipt with. Against the real audit service the
// journey also compares its leaf hash with the stored one; here: a log of five entries signed under a fresh key,
// and each kind of tampering caught by the check that should catch it.
/** What services/audit's `entryLeafHash` gives for `entry(1)` (computed with it when this test was written). */
const PINNED_LEAF_HASH = '794f313524e68acc6f00f9c17410d3b17e29f43979406faa044f996b2b1a8041';
const keys = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');

const entry = (leafIndex: number): AuditEntryView => ({
  leafIndex,
  eventId: `event-${leafIndex}`,
  occurredAt: '2027-01-16T08:00:00.123Z',
  recordedAt: '2027-01-16T08:00:01.456Z',
  actorId: 'dpo-1',
  actorType: 'USER',
  action: 'crm.contacts.v1.ContactErased',
  subjectId: 'contact-1',
  fields: ['emails', 'name.given'],
  purpose: 'data-subject-rights',
  legalBasis: 'legal_obligation',
  correlationId: 'c-1',
  causationId: '',
  payloadType: 'crm.contacts.v1.ContactErased',
  envelopeSha256: 'ab'.repeat(32),
  sourceTopic: 'crm.contacts.v1.events',
  sourcePartition: 2,
  sourceOffset: String(100 + leafIndex),
  leafHash: '',
});

function signedHead(tree: MerkleTree, signer = keys.privateKey): SignedTreeHeadView {
  const head = { logId: 'log-1', treeSize: tree.size, rootHash: toHex(tree.root()), timestamp: '2027-01-16T08:00:02.000Z' };
  const logId = Buffer.from(head.logId);
  const numbers = Buffer.alloc(20);
  numbers.writeUInt32BE(logId.length, 0);
  numbers.writeBigUInt64BE(BigInt(head.treeSize), 4);
  numbers.writeBigInt64BE(BigInt(Date.parse(head.timestamp)), 12);
  const bytes = Buffer.concat([
    Buffer.from('crm.audit.v1.SignedTreeHead\u0000'),
    Buffer.of(1),
    numbers.subarray(0, 4),
    logId,
    numbers.subarray(4),
    Buffer.from(head.rootHash, 'hex'),
  ]);
  return { ...head, keyId: auditKeyId(keys.publicKey), algorithm: 'Ed25519', signature: sign(null, bytes, signer).toString('base64') };
}

function proofOf(index: number): AuditInclusionProofView {
  const entries = [0, 1, 2, 3, 4].map(entry).map((e) => ({ ...e, leafHash: toHex(auditLeafHash(e)) }));
  const tree = MerkleTree.fromLeafHashes(entries.map(auditLeafHash));
  return { entry: entries[index]!, leafIndex: index, treeSize: tree.size, proof: tree.inclusionProof(index).map(toHex), treeHead: signedHead(tree) };
}

describe('verifying an audit inclusion proof from the documented formats', () => {
  it('given an entry of a signed log, then its leaf, the head and the path all check', () => {
    expect(verifyAuditInclusion(proofOf(3), keys.publicKey)).toEqual({ leafHashAsServed: true, treeHeadSigned: true, included: true });
  });

  it('is a leaf hash over the domain, the version and every field: changing any field changes it', () => {
    const base = toHex(auditLeafHash(entry(1)));
    const changed = (change: Partial<AuditEntryView>) => toHex(auditLeafHash({ ...entry(1), ...change }));
    expect(changed({ leafIndex: 2 })).not.toBe(base);
    expect(changed({ recordedAt: '2027-01-16T08:00:01.457Z' })).not.toBe(base);
    expect(changed({ fields: ['emails'] })).not.toBe(base);
    // Length prefixes: text moved from one field to the next is another entry.
    expect(changed({ actorId: 'dpo-1U', actorType: 'SER' })).not.toBe(base);
    expect(base).toBe(PINNED_LEAF_HASH);
  });

  it('given a tampered entry, then its leaf is not in the tree', () => {
    const proof = proofOf(2);
    const tampered = { ...proof, entry: { ...proof.entry, subjectId: 'contact-2' } };
    expect(verifyAuditInclusion(tampered, keys.publicKey)).toEqual({ leafHashAsServed: false, treeHeadSigned: true, included: false });
  });

  it('given a head signed by another key, or a root changed after signing, or no head, then nothing is included', () => {
    const proof = proofOf(1);
    const tree = MerkleTree.fromLeafHashes([0, 1, 2, 3, 4].map((i) => auditLeafHash(entry(i))));
    expect(verifyAuditInclusion({ ...proof, treeHead: signedHead(tree, other.privateKey) }, keys.publicKey).treeHeadSigned).toBe(false);
    expect(verifyAuditInclusion(proof, other.publicKey).treeHeadSigned).toBe(false);
    const forged = { ...proof.treeHead!, rootHash: 'cd'.repeat(32) };
    expect(verifyAuditInclusion({ ...proof, treeHead: forged }, keys.publicKey)).toMatchObject({ treeHeadSigned: false, included: false });
    expect(verifyAuditInclusion({ ...proof, treeHead: null }, keys.publicKey)).toMatchObject({ treeHeadSigned: false, included: false });
  });

  it('given a path for another index or size, then it does not verify', () => {
    const proof = proofOf(1);
    expect(verifyAuditInclusion({ ...proof, leafIndex: 2 }, keys.publicKey).included).toBe(false);
    expect(verifyAuditInclusion({ ...proof, proof: proof.proof.slice(1) }, keys.publicKey).included).toBe(false);
  });
});
