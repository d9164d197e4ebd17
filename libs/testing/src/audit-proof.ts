// Checking an audit inclusion proof the way an outside verifier does, from the documented formats only (no audit
// service code): the leaf hash recomputed from the entry's fields (docs/audit.md, services/audit's entry.canonical.ts
// spells the bytes out), the RFC 6962 audit path walked up to a root, and that root compared with a tree head whose
// Ed25519 signature was checked under a pinned public key (proto/crm/audit/v1/tree_head.proto). The `leafHash`,
// `rootHash` and any "verified" flag in the answer are never trusted.
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromHex, verifyInclusion } from '@crm/merkle';

/** An audit entry as `GET /v1/audit/entries/{id}/proof` serves it: every field the leaf hash covers. */
export interface AuditEntryView {
  leafIndex: number;
  eventId: string;
  occurredAt: string;
  recordedAt: string;
  actorId: string;
  actorType: string;
  action: string;
  subjectId: string;
  fields: string[];
  purpose: string;
  legalBasis: string;
  correlationId: string;
  causationId: string;
  payloadType: string;
  envelopeSha256: string;
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: string;
  leafHash: string;
}

export interface SignedTreeHeadView {
  logId: string;
  treeSize: number;
  rootHash: string;
  timestamp: string;
  keyId: string;
  algorithm: string;
  signature: string;
}

export interface AuditInclusionProofView {
  entry: AuditEntryView;
  leafIndex: number;
  treeSize: number;
  proof: string[];
  treeHead: SignedTreeHeadView | null;
}

/** Each check on its own, so a test can say which one failed. */
export interface AuditProofVerdict {
  /** The recomputed leaf hash equals the one the service stored (a cross-check of the encoding, not trusted). */
  leafHashAsServed: boolean;
  /** The head's key id names the pinned key and its Ed25519 signature verifies under it. */
  treeHeadSigned: boolean;
  /** The audit path from the recomputed leaf reaches the signed head's root, at the head's size and the entry's index. */
  included: boolean;
}

const ENTRY_DOMAIN = Buffer.from('crm.audit.v1.AuditEntry\u0000', 'utf8');
const HEAD_DOMAIN = Buffer.from('crm.audit.v1.SignedTreeHead\u0000', 'utf8');

const u32 = (value: number): Buffer => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
};
const i64 = (value: number | bigint): Buffer => {
  const bytes = Buffer.alloc(8);
  bytes.writeBigInt64BE(BigInt(value));
  return bytes;
};
const text = (value: string): Buffer => {
  const bytes = Buffer.from(value, 'utf8');
  return Buffer.concat([u32(bytes.length), bytes]);
};

/**
 * MTH({entry}) = SHA-256(0x00 ‖ canonical bytes), RFC 6962 §2.1, the canonical bytes being "crm.audit.v1.AuditEntry"
 * 0x00, version 1, leaf index (u64 BE), occurred at and recorded at (ms, i64 BE), source partition (u32 BE), then the
 * texts (u32 BE length + UTF-8) in their documented order, the number of fields (u32 BE) and each field.
 */
export function auditLeafHash(entry: AuditEntryView): Uint8Array {
  const texts = [
    entry.eventId,
    entry.actorId,
    entry.actorType,
    entry.action,
    entry.subjectId,
    entry.purpose,
    entry.legalBasis,
    entry.correlationId,
    entry.causationId,
    entry.payloadType,
    entry.envelopeSha256,
    entry.sourceTopic,
    entry.sourceOffset,
  ];
  const bytes = Buffer.concat([
    Buffer.of(0x00),
    ENTRY_DOMAIN,
    Buffer.of(1),
    i64(entry.leafIndex),
    i64(Date.parse(entry.occurredAt)),
    i64(Date.parse(entry.recordedAt)),
    u32(entry.sourcePartition),
    ...texts.map(text),
    u32(entry.fields.length),
    ...entry.fields.map(text),
  ]);
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}

/** The bytes a head's signature covers (tree_head.proto). */
function treeHeadSignedBytes(head: SignedTreeHeadView): Buffer {
  const logId = Buffer.from(head.logId, 'utf8');
  return Buffer.concat([HEAD_DOMAIN, Buffer.of(1), u32(logId.length), logId, i64(head.treeSize), i64(Date.parse(head.timestamp)), fromHex(head.rootHash)]);
}

/** Hex SHA-256 of the raw 32-byte Ed25519 public key: what a head names as its key id. */
export function auditKeyId(publicKey: KeyObject): string {
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  return createHash('sha256').update(raw).digest('hex');
}

/** The audit log's public key as this machine's state directory holds it: pinned, not fetched from the service. */
export function pinnedAuditPublicKey(stateDirectory: string): KeyObject {
  return createPublicKey(readFileSync(join(stateDirectory, 'audit', 'tree-head-signing.pub'), 'utf8'));
}

export function verifyTreeHead(head: SignedTreeHeadView, publicKey: KeyObject): boolean {
  if (head.algorithm !== 'Ed25519' || head.keyId !== auditKeyId(publicKey)) return false;
  try {
    return verify(null, treeHeadSignedBytes(head), publicKey, Buffer.from(head.signature, 'base64'));
  } catch {
    return false;
  }
}

/** Checks an inclusion proof against its signed head under `publicKey`; every part is recomputed here. */
export function verifyAuditInclusion(answer: AuditInclusionProofView, publicKey: KeyObject): AuditProofVerdict {
  const leaf = auditLeafHash(answer.entry);
  const head = answer.treeHead;
  const treeHeadSigned = head !== null && verifyTreeHead(head, publicKey);
  return {
    leafHashAsServed: Buffer.from(leaf).toString('hex') === answer.entry.leafHash.toLowerCase(),
    treeHeadSigned,
    included:
      head !== null &&
      treeHeadSigned &&
      answer.entry.leafIndex === answer.leafIndex &&
      verifyInclusion(leaf, answer.entry.leafIndex, head.treeSize, answer.proof.map(fromHex), fromHex(head.rootHash)),
  };
}
