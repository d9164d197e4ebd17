import { generateKeyPairSync } from 'node:crypto';
import { fromBinary, SignedTreeHeadSchema, toBinary } from '@crm/contracts';
import { emptyRoot } from '@crm/merkle';
import {
  signTreeHead,
  treeHeadFromProto,
  treeHeadFromView,
  treeHeadToProto,
  treeHeadToView,
  verifyTreeHeadSignature,
  type TreeHead,
} from './tree-head.codec.js';
import { TreeHeadKey } from './tree-head.key.js';

const key = (): TreeHeadKey => TreeHeadKey.fromPrivateKey(generateKeyPairSync('ed25519').privateKey);

const signer = key();
const root = new Uint8Array(32).fill(9);
const head = signTreeHead(signer, { logId: 'log-1', treeSize: 42, rootHash: root, timestamp: new Date('2026-05-06T07:08:09.123Z') });

describe('signed tree heads (Ed25519 over a fixed byte layout)', () => {
  it('given a head signed with the key, then it verifies, and names the key by the hash of its public key', () => {
    expect(verifyTreeHeadSignature(head, signer)).toBe(true);
    expect(head.keyId).toBe(signer.keyId);
    expect(head.keyId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('given any signed value changed, then the signature no longer verifies', () => {
    const forgeries: TreeHead[] = [
      { ...head, treeSize: 43 },
      { ...head, rootHash: new Uint8Array(32).fill(8) },
      { ...head, timestamp: new Date(head.timestamp.getTime() + 1) },
      { ...head, logId: 'log-2' },
      { ...head, signature: head.signature.map((byte, i) => (i === 0 ? byte ^ 1 : byte)) },
      { ...head, signature: new Uint8Array(0) },
    ];
    expect(forgeries.map((forged) => verifyTreeHeadSignature(forged, signer))).toEqual(forgeries.map(() => false));
  });

  it('given a head signed by another key, even one claiming our key id, then it is rejected', () => {
    const other = key();
    const foreign = signTreeHead(other, { logId: 'log-1', treeSize: 42, rootHash: root, timestamp: head.timestamp });
    expect(verifyTreeHeadSignature(foreign, signer)).toBe(false);
    expect(verifyTreeHeadSignature({ ...foreign, keyId: signer.keyId }, signer)).toBe(false);
  });

  it('given a head, when it travels as protobuf or as the JSON view, then it still verifies', () => {
    const wire = treeHeadFromProto(fromBinary(SignedTreeHeadSchema, toBinary(SignedTreeHeadSchema, treeHeadToProto(head))))!;
    expect(verifyTreeHeadSignature(wire, signer)).toBe(true);
    expect(verifyTreeHeadSignature(treeHeadFromView(JSON.parse(JSON.stringify(treeHeadToView(head)))), signer)).toBe(true);
    const empty = signTreeHead(signer, { logId: 'log-1', treeSize: 0, rootHash: emptyRoot(), timestamp: new Date() });
    expect(verifyTreeHeadSignature(treeHeadFromProto(treeHeadToProto(empty))!, signer)).toBe(true);
  });

  it('given a protobuf head without an algorithm, then it is not interpreted', () => {
    expect(treeHeadFromProto({ ...treeHeadToProto(head), algorithm: 0 })).toBeUndefined();
  });

  it('given the public key as PEM, hex or base64url, then it is the same key', () => {
    const hex = Buffer.from(signer.rawPublicKey).toString('hex');
    expect(TreeHeadKey.fromPublic(hex).keyId).toBe(signer.keyId);
    expect(TreeHeadKey.fromPublic(Buffer.from(signer.rawPublicKey).toString('base64url')).keyId).toBe(signer.keyId);
    expect(() => TreeHeadKey.fromPublic('abcd')).toThrow();
  });
});
