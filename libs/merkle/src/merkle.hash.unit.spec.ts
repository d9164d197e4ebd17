import { AppError } from '@crm/errors';
import { MERKLE_ERRORS, emptyRoot, fromHex, isMerkleError, leafHash, nodeHash, rootHash, toHex } from './index.js';
import { leafHashesOf, leavesOf } from './merkle.fixtures.js';

describe('RFC 6962 §2.1 hashing', () => {
  test('given no leaves, when hashing the tree, then the root is SHA-256 of the empty string', () => {
    expect(toHex(rootHash({ leaves: [] }))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(rootHash({ leafHashes: [] })).toEqual(emptyRoot());
  });

  test('given 64 bytes, when hashed as a leaf and as a node, then the 0x00/0x01 prefixes keep them apart', () => {
    const [left, right] = leafHashesOf(2) as [Uint8Array, Uint8Array];
    const concatenated = new Uint8Array([...left, ...right]);
    expect(leafHash(concatenated)).not.toEqual(nodeHash(left, right));
    expect(rootHash({ leaves: [concatenated] })).not.toEqual(rootHash({ leafHashes: [left, right] }));
  });

  test('given leaves, when the root is computed from the data or from the leaf hashes, then both agree', () => {
    const leaves = leavesOf(13);
    expect(rootHash({ leaves })).toEqual(rootHash({ leafHashes: leaves.map(leafHash) }));
  });

  test('given raw data where leaf hashes belong, when hashing, then MERKLE_HASH_INVALID', () => {
    const call = () => rootHash({ leafHashes: leavesOf(3) });
    expect(call).toThrow(AppError);
    expect(call).toThrow(expect.objectContaining({ code: 'MERKLE_HASH_INVALID', kind: 'invalid' }));
  });

  test('given a returned root, when the caller mutates it, then the next root is unaffected', () => {
    const leafHashes = leafHashesOf(1);
    const root = rootHash({ leafHashes });
    root[0]! ^= 0xff;
    expect(rootHash({ leafHashes })).not.toEqual(root);
  });
});

describe('hex helpers', () => {
  test('given bytes, when encoded and decoded, then they round-trip as lower-case hex', () => {
    const bytes = Uint8Array.of(0x00, 0x0f, 0xab, 0xff);
    expect(toHex(bytes)).toBe('000fabff');
    expect(fromHex('000FABFF')).toEqual(bytes);
    expect(fromHex('')).toEqual(new Uint8Array(0));
  });

  test('given a view into a larger buffer, when encoded, then only the view is encoded', () => {
    expect(toHex(Uint8Array.of(1, 2, 3, 4).subarray(1, 3))).toBe('0203');
  });

  test.each(['abc', 'zz', '0g', ' 00', '00 '])('given %j, when decoded, then MERKLE_HEX_INVALID rather than a shorter hash', (hex) => {
    expect(() => fromHex(hex)).toThrow(expect.objectContaining({ code: 'MERKLE_HEX_INVALID' }));
  });
});

describe('errors', () => {
  test('given the error table, then no code is retriable and isMerkleError recognises each code', () => {
    for (const [code, { retriable }] of Object.entries(MERKLE_ERRORS)) {
      expect(retriable).toBe(false);
      expect(isMerkleError(new AppError(code, 'invalid', 'x'))).toBe(true);
    }
    expect(isMerkleError(new AppError('CONTACT_NOT_FOUND', 'not_found', 'x'))).toBe(false);
    expect(isMerkleError(new Error('MERKLE_PROOF_INVALID'))).toBe(false);
  });
});
