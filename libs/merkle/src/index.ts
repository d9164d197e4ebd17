export { HASH_SIZE, leafHash, nodeHash, emptyRoot } from './merkle.hash.js';
export { rootHash, type RootInput } from './merkle.root.js';
export { inclusionProof, verifyInclusion, assertInclusion } from './inclusion.proof.js';
export { consistencyProof, verifyConsistency, assertConsistency } from './consistency.proof.js';
export { MerkleTree } from './merkle.tree.js';
export { toHex, fromHex } from './hex.codec.js';
export { MERKLE_ERRORS, isMerkleError, type MerkleErrorCode } from './merkle.errors.js';
