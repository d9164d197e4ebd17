import { Inject, Injectable } from '@nestjs/common';
import { sealedFieldFromBytes, sealedFieldToBytes, type FieldCipher } from '@crm/crypto';
import { quoteIdent } from '@crm/eventstore';
import { FIELD_CIPHER } from '@crm/platform';
import { PG_POOL, withTransaction, type Pool } from '@crm/postgres';
import { CONSENT_SCHEMA } from '../../consents/consent.streams.js';
import type { ErasureReceipt, PackageFile, PackageFormat } from './subject-package.js';

export interface StoredPackageFile {
  format: PackageFormat;
  /** The contact the file is about (its data subject). */
  contactId: string;
  contentType: string;
  createdAt: Date;
  expiresAt: Date;
  /** Opens the file (KEY_SHREDDED once the contact is erased). */
  open(): Promise<string>;
}

/** Where a package file is bound: to the request and its format (the contact's key is the subject binding). */
export const packageFieldPath = (requestId: string, format: PackageFormat): string => `request.${requestId}.package.${format}`;

/** The request desk's outputs: sealed packages and erasure receipts. */
@Injectable()
export class RequestOutputs {
  readonly #packages = `${quoteIdent(CONSENT_SCHEMA)}.subject_request_packages`;
  readonly #receipts = `${quoteIdent(CONSENT_SCHEMA)}.subject_request_receipts`;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
  ) {}

  /** Seals and stores a request's files, replacing what an earlier, interrupted completion left. */
  async savePackage(requestId: string, contactId: string, files: readonly PackageFile[], createdAt: Date, expiresAt: Date): Promise<void> {
    const sealed = await Promise.all(
      files.map(async (file) => ({
        ...file,
        sealed: sealedFieldToBytes(await this.cipher.seal(contactId, packageFieldPath(requestId, file.format), file.content)),
      })),
    );
    await withTransaction(this.pool, async (client) => {
      await client.query(`DELETE FROM ${this.#packages} WHERE request_id = $1`, [requestId]);
      for (const file of sealed) {
        await client.query(
          `INSERT INTO ${this.#packages} (request_id, format, contact_id, content_type, sealed, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [requestId, file.format, contactId, file.contentType, file.sealed, createdAt, expiresAt],
        );
      }
    });
  }

  async packageFile(requestId: string, format: PackageFormat): Promise<StoredPackageFile | undefined> {
    const { rows } = await this.pool.query<{ contact_id: string; content_type: string; sealed: Buffer; created_at: Date; expires_at: Date }>(
      `SELECT contact_id, content_type, sealed, created_at, expires_at FROM ${this.#packages} WHERE request_id = $1 AND format = $2`,
      [requestId, format],
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    return {
      format,
      contactId: row.contact_id,
      contentType: row.content_type,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      open: () => this.cipher.openText(row.contact_id, packageFieldPath(requestId, format), sealedFieldFromBytes(row.sealed)),
    };
  }

  /** The formats stored for a request, with their expiry (no file is opened). */
  async packageFormats(requestId: string): Promise<Array<{ format: PackageFormat; expiresAt: Date }>> {
    const { rows } = await this.pool.query<{ format: PackageFormat; expires_at: Date }>(
      `SELECT format, expires_at FROM ${this.#packages} WHERE request_id = $1 ORDER BY format`,
      [requestId],
    );
    return rows.map((row) => ({ format: row.format, expiresAt: row.expires_at }));
  }

  /** Deletes every package past its expiry; answers how many files went. */
  async deleteExpired(now: Date): Promise<number> {
    const { rowCount } = await this.pool.query(`DELETE FROM ${this.#packages} WHERE expires_at <= $1`, [now]);
    return rowCount ?? 0;
  }

  /** Deletes every package about a contact (its erasure: the ciphertext is unreadable already, the rows go too). */
  async deletePackagesOf(contactId: string): Promise<number> {
    const { rowCount } = await this.pool.query(`DELETE FROM ${this.#packages} WHERE contact_id = $1`, [contactId]);
    return rowCount ?? 0;
  }

  async saveReceipt(requestId: string, contactId: string, receipt: ErasureReceipt, at: Date): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.#receipts} (request_id, contact_id, receipt, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (request_id) DO UPDATE SET receipt = EXCLUDED.receipt`,
      [requestId, contactId, JSON.stringify(receipt), at],
    );
  }

  async receipt(requestId: string): Promise<ErasureReceipt | undefined> {
    const { rows } = await this.pool.query<{ receipt: ErasureReceipt }>(`SELECT receipt FROM ${this.#receipts} WHERE request_id = $1`, [requestId]);
    return rows[0]?.receipt;
  }
}
