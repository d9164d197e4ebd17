import { openVaultBackup, readVaultBackupHeader, sealVaultBackup, vaultBackupKey, type VaultBackupHeader, type VaultContents } from './vault-backup.codec.js';

const header: VaultBackupHeader = {
  id: '01930000-0000-7000-8000-000000000001',
  takenAt: '2026-12-02T02:00:00.000Z',
  erasures: { ledgerSize: 1, newestErasedAt: '2026-12-01T10:00:00.000Z', shreddedOffsets: ['4', '0', '2'] },
  counts: { epochs: 1, dataKeys: 1 },
};
const contents: VaultContents = {
  epochs: [{ epoch: 1, createdAt: '2026-11-01T00:00:00.000Z', retiredAt: null }],
  dataKeys: [
    {
      subjectId: 'subject-kept',
      keyId: 'key-1',
      keyVersion: 1,
      kekEpoch: 1,
      wrappedDek: Buffer.alloc(48, 7).toString('base64'),
      wrapNonce: Buffer.alloc(12, 1).toString('base64'),
      createdAt: '2026-11-02T00:00:00.000Z',
    },
  ],
  ledger: [{ subjectId: 'subject-gone', keyId: 'key-0', erasedAt: '2026-12-01T10:00:00.000Z', reason: 'ERASURE_REQUEST', keyVersions: [1] }],
};
const key = vaultBackupKey('a'.repeat(64));

describe('a key-vault backup file', () => {
  test('given a sealed backup, when opened with its key, then the header and rows come back as they were', () => {
    const file = sealVaultBackup(header, contents, key);
    expect(openVaultBackup(file, key)).toEqual({ header, contents });
    expect(readVaultBackupHeader(file)).toEqual(header);
  });

  test('given a sealed backup, then neither a subject id nor a wrapped key is in it in the clear', () => {
    const file = sealVaultBackup(header, contents, key);
    expect(file.includes(Buffer.from('subject-kept'))).toBe(false);
    expect(file.includes(Buffer.from(contents.dataKeys[0]!.wrappedDek))).toBe(false);
  });

  test('given another key, a changed header byte, a changed body byte or a truncated file, then it is VAULT_BACKUP_CORRUPT', () => {
    const file = sealVaultBackup(header, contents, key);
    const changed = (at: number): Buffer => {
      const copy = Buffer.from(file);
      copy[at] = copy[at]! ^ 0x01;
      return copy;
    };
    const headerByte = file.indexOf(Buffer.from('"ledgerSize":1')) + '"ledgerSize":'.length;
    expect(() => openVaultBackup(file, vaultBackupKey('b'.repeat(64)))).toThrow(expect.objectContaining({ code: 'VAULT_BACKUP_CORRUPT' }));
    expect(() => openVaultBackup(changed(headerByte), key)).toThrow(expect.objectContaining({ code: 'VAULT_BACKUP_CORRUPT' }));
    expect(() => openVaultBackup(changed(file.length - 30), key)).toThrow(expect.objectContaining({ code: 'VAULT_BACKUP_CORRUPT' }));
    expect(() => openVaultBackup(file.subarray(0, file.length - 5), key)).toThrow(expect.objectContaining({ code: 'VAULT_BACKUP_CORRUPT' }));
    expect(() => readVaultBackupHeader(Buffer.from('not a backup'))).toThrow(expect.objectContaining({ code: 'VAULT_BACKUP_CORRUPT' }));
  });

  test('given a secret too short to be a key, then it is refused', () => {
    expect(() => vaultBackupKey('short')).toThrow(expect.objectContaining({ code: 'VAULT_BACKUP_KEY_INVALID' }));
  });
});
