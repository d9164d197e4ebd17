// @crm/crypto — per-subject field encryption and crypto-shredding (docs/crypto-shredding.md).
export { CRYPTO_ERRORS, cryptoError, isCryptoError, type CryptoErrorCode } from './crypto.errors.js';
export { systemClock, systemRandomBytes, type Clock, type RandomBytes } from './entropy.js';

export { SEAL_ALGORITHMS, type SealAlgorithm, type SealedField, type FieldBinding } from './sealing/sealed-field.model.js';
export { FIELD_AAD_VERSION, fieldAad } from './sealing/field.aad.js';
export { sealField, openField, type SealOptions } from './sealing/field.sealing.js';

export {
  SHRED_REASONS,
  isShredReason,
  type ShredReason,
  type KeyStore,
  type KeyCache,
  type DataKey,
  type ShredResult,
  type KekRotation,
} from './keys/key-store.port.js';
export type { KekProvider, KekCache } from './keys/kek-provider.port.js';
export { FileKekProvider, type FileKekProviderOptions, type KekFileReads } from './keys/file-kek.provider.js';
export { CachingKekProvider, type CachingKekProviderOptions } from './keys/caching-kek.provider.js';
export { PostgresKeyStore, type PostgresKeyStoreOptions, type ErasureRecord, type KekEpoch } from './keys/postgres-key.store.js';
export { unwrapDek, type WrappedDekBinding } from './keys/dek.wrapping.js';
export { KEY_VAULT_DATABASE, createKeyVaultPool, type KeyVaultPoolOptions } from './keys/key-vault.database.js';
export { keyVaultDatabase, keyVaultMigrations } from './keys/key-vault.schema.js';
export { CachingKeyStore, type CachingKeyStoreOptions } from './keys/caching-key.store.js';
/** For integration tests: a key vault in a database of its own, with KEKs in a temporary directory. */
export { scratchKeyVault, type ScratchKeyVault } from './keys/scratch-key-vault.fixture.js';

export {
  SUBJECT_KEY_SHREDDED_TYPE,
  protobufShredAnnouncementCodec,
  type SubjectKeyShredded,
  type ShredAnnouncementCodec,
} from './shredding/subject-key-shredded.codec.js';
export { SHREDDED_KEYS_TOPIC, shreddedKeysTopic, ShredAnnouncer, type ShredAnnouncerOptions } from './shredding/shred.announcer.js';
export { ShredListener, type ShredListenerOutcome } from './shredding/shred.listener.js';
export { SubjectShredder, type SubjectShredderDeps } from './shredding/subject.shredder.js';

export {
  BlindIndexer,
  DEFAULT_BLIND_INDEX_BYTES,
  deriveBlindIndexKey,
  computeBlindIndex,
  type BlindIndexSpec,
  type BlindIndexNormaliser,
} from './blind-index/blind-indexer.js';
export { normaliseEmail, normalisePhone, nameTokens, normaliseExact } from './blind-index/blind-index.normalisers.js';

export { FieldCipher } from './field-cipher/field.cipher.js';
export { sealedFieldToProto, sealedFieldFromProto, sealedFieldToBytes, sealedFieldFromBytes } from './sealing/sealed-field.proto.js';
export { ShredReactor, SHRED_EVICTION, type ShredEviction } from './shredding/shred.reactor.js';
export {
  KEK_ROTATED_TYPE,
  KEK_ROTATED_CONTENT_TYPE,
  encodeKekRotated,
  decodeKekRotated,
  kekRotatedAnnouncement,
  type KekRotatedAnnouncement,
} from './rotation/kek-rotated.codec.js';
export { KEK_ROTATED_TOPIC, kekRotatedTopic, KekRotationAnnouncer } from './rotation/kek-rotation.announcer.js';
export { KekRotationListener, type KekRotationListenerOutcome } from './rotation/kek-rotation.listener.js';
export { KekRotationReactor, KEK_EVICTION, type KekEviction } from './rotation/kek-rotation.reactor.js';
export { kekRotationVerdict, type KekRotationPolicy, type KekRotationVerdict } from './rotation/kek-rotation.deadline.js';
export { destroySecretFile, ensurePrivateDirectory, isErrno, readPrivateFile, syncDirectory, writePrivateFile } from './secrets/secret-file.js';
