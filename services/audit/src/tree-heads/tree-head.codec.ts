import { sign, verify } from 'node:crypto';
import { create, dateFromTimestamp, SignatureAlgorithm, SignedTreeHeadSchema, timestampFromDate, type SignedTreeHead } from '@crm/contracts';
import { fromHex, HASH_SIZE, toHex } from '@crm/merkle';
import type { TreeHeadKey } from './tree-head.key.js';

/** A signed tree head as the service and the verifier handle it. */
export interface TreeHead {
  logId: string;
  treeSize: number;
  rootHash: Uint8Array;
  /** Millisecond precision: what is signed. */
  timestamp: Date;
  keyId: string;
  signature: Uint8Array;
}

/** The JSON form served by the API (hex hashes, base64 signature). */
export interface TreeHeadView {
  logId: string;
  treeSize: number;
  rootHash: string;
  timestamp: string;
  keyId: string;
  algorithm: 'Ed25519';
  signature: string;
}

const DOMAIN = Buffer.from('crm.audit.v1.SignedTreeHead\u0000', 'utf8');
const VERSION = 1;

/** The bytes an Ed25519 signature covers; documented in proto/crm/audit/v1/tree_head.proto. */
export function treeHeadSignedBytes(head: Pick<TreeHead, 'logId' | 'treeSize' | 'rootHash' | 'timestamp'>): Uint8Array {
  const logId = Buffer.from(head.logId, 'utf8');
  const lengths = Buffer.alloc(4 + 8 + 8);
  lengths.writeUInt32BE(logId.length, 0);
  lengths.writeBigUInt64BE(BigInt(head.treeSize), 4);
  lengths.writeBigInt64BE(BigInt(head.timestamp.getTime()), 12);
  return new Uint8Array(Buffer.concat([DOMAIN, Buffer.of(VERSION), lengths.subarray(0, 4), logId, lengths.subarray(4), head.rootHash]));
}

export function signTreeHead(key: TreeHeadKey, head: Pick<TreeHead, 'logId' | 'treeSize' | 'rootHash' | 'timestamp'>): TreeHead {
  if (key.privateKey === undefined) throw new Error('a verification-only key cannot sign');
  const timestamp = new Date(Math.floor(head.timestamp.getTime()));
  const unsigned = { ...head, timestamp };
  const signature = new Uint8Array(sign(null, treeHeadSignedBytes(unsigned), key.privateKey));
  return { ...unsigned, keyId: key.keyId, signature };
}

/**
 * Whether `head` was signed by `key`. Never throws: a head from Kafka is untrusted input. The key id must match
 * the key (a head claiming another key is not "valid under some key"), and the root must be a SHA-256 hash.
 */
export function verifyTreeHeadSignature(head: TreeHead, key: TreeHeadKey): boolean {
  try {
    if (head.keyId !== key.keyId || head.rootHash.length !== HASH_SIZE || !Number.isSafeInteger(head.treeSize) || head.treeSize < 0) return false;
    return verify(null, treeHeadSignedBytes(head), key.publicKey, head.signature);
  } catch {
    return false;
  }
}

export function treeHeadToProto(head: TreeHead): SignedTreeHead {
  return create(SignedTreeHeadSchema, {
    logId: head.logId,
    treeSize: BigInt(head.treeSize),
    rootHash: head.rootHash,
    timestamp: timestampFromDate(head.timestamp),
    keyId: head.keyId,
    algorithm: SignatureAlgorithm.ED25519,
    signature: head.signature,
  });
}

/** Undefined for a head with another algorithm or an impossible size: it is not ours to interpret. */
export function treeHeadFromProto(message: SignedTreeHead): TreeHead | undefined {
  if (message.algorithm !== SignatureAlgorithm.ED25519 || message.timestamp === undefined) return undefined;
  if (message.treeSize > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return {
    logId: message.logId,
    treeSize: Number(message.treeSize),
    rootHash: message.rootHash,
    timestamp: dateFromTimestamp(message.timestamp),
    keyId: message.keyId,
    signature: message.signature,
  };
}

export function treeHeadToView(head: TreeHead): TreeHeadView {
  return {
    logId: head.logId,
    treeSize: head.treeSize,
    rootHash: toHex(head.rootHash),
    timestamp: head.timestamp.toISOString(),
    keyId: head.keyId,
    algorithm: 'Ed25519',
    signature: Buffer.from(head.signature).toString('base64'),
  };
}

export function treeHeadFromView(view: TreeHeadView): TreeHead {
  return {
    logId: view.logId,
    treeSize: view.treeSize,
    rootHash: fromHex(view.rootHash),
    timestamp: new Date(view.timestamp),
    keyId: view.keyId,
    signature: new Uint8Array(Buffer.from(view.signature, 'base64')),
  };
}
