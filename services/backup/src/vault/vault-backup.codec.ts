import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { AppError } from '@crm/errors';

/**
 * The key vault's own backup file (docs/backup.md, "The key vault's own backup"): a small clear header that says what
 * the backup is (no personal data, no key material: ids, times, counts, offsets), then the vault's rows sealed with
 * AES-256-GCM under the vault-backup key, with the header as associated data (changing a byte of either fails the
 * open). The key is not the pgBackRest repository's cipher: it lives in its own secret file, so holding the repository
 * (or its passphrase) opens neither the vault backup nor the other way round.
 *
 *   "CRMVAULT1\n" | header length (uint32 BE) | header (JSON) | nonce (12) | ciphertext | tag (16)
 */
const MAGIC = Buffer.from('CRMVAULT1\n', 'latin1');
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_INFO = 'crm.backup.v1.key-vault-backup';

/** What a vault backup says of itself, readable without the key. */
export interface VaultBackupHeader {
  id: string;
  takenAt: string;
  /** The erasures it predates: the ledger it holds and, read before the ledger, where the shred announcements ended. */
  erasures: {
    /** Subjects erased in the backup's ledger. */
    ledgerSize: number;
    /** The newest erasure in it (undefined when none). */
    newestErasedAt?: string;
    /**
     * End offsets (decimal strings per partition) of `crm.keys.v1.shredded` on the primary, taken before the ledger
     * was read: every announcement below them is in the backup's ledger; any erasure after them is not.
     */
    shreddedOffsets: string[];
  };
  counts: { epochs: number; dataKeys: number };
}

/** The vault's rows, as they were (wrapped keys stay wrapped: the backup never holds a KEK). */
export interface VaultContents {
  epochs: Array<{ epoch: number; createdAt: string; retiredAt: string | null }>;
  dataKeys: Array<{
    subjectId: string;
    keyId: string;
    keyVersion: number;
    kekEpoch: number;
    wrappedDek: string;
    wrapNonce: string;
    createdAt: string;
  }>;
  ledger: Array<{ subjectId: string; keyId: string | null; erasedAt: string; reason: string; keyVersions: number[] }>;
}

/** The 32-byte file key from the secret (a hex string from deploy/local, or any high-entropy text). */
export function vaultBackupKey(secret: string): Buffer {
  const material = secret.trim();
  if (material.length < 32) throw new AppError('VAULT_BACKUP_KEY_INVALID', 'internal', 'the vault-backup key is too short');
  return Buffer.from(hkdfSync('sha256', Buffer.from(material, 'utf8'), Buffer.alloc(0), KEY_INFO, 32));
}

export function sealVaultBackup(header: VaultBackupHeader, contents: VaultContents, key: Buffer): Buffer {
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(head.length);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.concat([MAGIC, length, head]));
  const body = Buffer.concat([cipher.update(Buffer.from(JSON.stringify(contents), 'utf8')), cipher.final()]);
  return Buffer.concat([MAGIC, length, head, nonce, body, cipher.getAuthTag()]);
}

/** The header alone (listing backups needs no key). VAULT_BACKUP_CORRUPT when the file is not a vault backup. */
export function readVaultBackupHeader(file: Buffer): VaultBackupHeader {
  return split(file).header;
}

/** Opens a vault backup; a wrong key, a changed byte or a truncated file is VAULT_BACKUP_CORRUPT, never partial rows. */
export function openVaultBackup(file: Buffer, key: Buffer): { header: VaultBackupHeader; contents: VaultContents } {
  const { header, aad, rest } = split(file);
  if (rest.length < NONCE_BYTES + TAG_BYTES) throw corrupt();
  const decipher = createDecipheriv('aes-256-gcm', key, rest.subarray(0, NONCE_BYTES));
  decipher.setAAD(aad);
  decipher.setAuthTag(rest.subarray(rest.length - TAG_BYTES));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(rest.subarray(NONCE_BYTES, rest.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw corrupt();
  }
  return { header, contents: JSON.parse(plain.toString('utf8')) as VaultContents };
}

function split(file: Buffer): { header: VaultBackupHeader; aad: Buffer; rest: Buffer } {
  if (file.length < MAGIC.length + 4 || !file.subarray(0, MAGIC.length).equals(MAGIC)) throw corrupt();
  const length = file.readUInt32BE(MAGIC.length);
  const end = MAGIC.length + 4 + length;
  if (end > file.length) throw corrupt();
  let header: VaultBackupHeader;
  try {
    header = JSON.parse(file.subarray(MAGIC.length + 4, end).toString('utf8')) as VaultBackupHeader;
  } catch {
    throw corrupt();
  }
  if (typeof header?.id !== 'string' || typeof header.takenAt !== 'string') throw corrupt();
  return { header, aad: file.subarray(0, end), rest: file.subarray(end) };
}

function corrupt(): AppError {
  return new AppError('VAULT_BACKUP_CORRUPT', 'invalid', 'the key-vault backup is corrupt, truncated or sealed under another key');
}
