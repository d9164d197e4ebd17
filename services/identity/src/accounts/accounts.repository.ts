import { Inject, Injectable } from '@nestjs/common';
import { PG_POOL, type Pool, type PoolClient } from '@crm/postgres';
import { IDENTITY_SCHEMA } from './identity.events.js';

export interface AccountRow {
  user_id: string;
  email_index: string;
  email_sealed: Buffer;
  name_sealed: Buffer;
  roles: string[];
  mfa_enrolled: boolean;
  created_at: Date;
  /** Set while an administrator has the account disabled: no sign-in, no refresh. */
  disabled_at: Date | null;
}

export interface CredentialsRow {
  user_id: string;
  password_hash: string;
  password_changed_at: Date;
  /** Set at registration and by an administrator's reset (someone else chose the password); cleared by the holder's own change. */
  password_change_required: boolean;
  /** When an administrator's reset set this (one-time) password; null for any other password. */
  one_time_password_issued_at: Date | null;
  password_history: string[];
  totp_secret_sealed: Buffer | null;
  totp_pending_sealed: Buffer | null;
  recovery_code_hashes: string[];
}

type Db = Pool | PoolClient;

/** SQL for identity's accounts, credentials and custom roles; every write takes the caller's transaction. */
@Injectable()
export class AccountsRepository {
  readonly schema = IDENTITY_SCHEMA;

  constructor(@Inject(PG_POOL) readonly pool: Pool) {}

  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM identity.accounts`);
    return rows[0]?.n ?? 0;
  }

  async byEmailIndex(emailIndex: string): Promise<AccountRow | undefined> {
    const { rows } = await this.pool.query<AccountRow>(`SELECT * FROM identity.accounts WHERE email_index = $1`, [emailIndex]);
    return rows[0];
  }

  /** `forUpdate` locks the row until the transaction ends: it is the account's decision state (AccountWriteModel). */
  async byId(userId: string, db: Db = this.pool, options: { forUpdate?: boolean } = {}): Promise<AccountRow | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(userId)) return undefined;
    const { rows } = await db.query<AccountRow>(`SELECT * FROM identity.accounts WHERE user_id = $1${options.forUpdate === true ? ' FOR UPDATE' : ''}`, [
      userId,
    ]);
    return rows[0];
  }

  async list(limit: number, after: string | undefined): Promise<AccountRow[]> {
    const { rows } = await this.pool.query<AccountRow>(
      `SELECT * FROM identity.accounts WHERE ($1::uuid IS NULL OR user_id > $1::uuid) ORDER BY user_id LIMIT $2`,
      [after ?? null, limit],
    );
    return rows;
  }

  async insert(
    db: PoolClient,
    account: Omit<AccountRow, 'created_at' | 'mfa_enrolled' | 'disabled_at'>,
    password: { passwordHash: string; changeRequired: boolean },
    now: Date,
  ): Promise<void> {
    await db.query(`INSERT INTO identity.accounts (user_id, email_index, email_sealed, name_sealed, roles, created_at) VALUES ($1, $2, $3, $4, $5, $6)`, [
      account.user_id,
      account.email_index,
      account.email_sealed,
      account.name_sealed,
      account.roles,
      now,
    ]);
    await db.query(`INSERT INTO identity.credentials (user_id, password_hash, password_changed_at, password_change_required) VALUES ($1, $2, $3, $4)`, [
      account.user_id,
      password.passwordHash,
      now,
      password.changeRequired,
    ]);
  }

  /** The account's rows go: credentials (hashes, the sealed TOTP secret, recovery codes) and the account itself. */
  async delete(db: PoolClient, userId: string): Promise<void> {
    await db.query(`DELETE FROM identity.credentials WHERE user_id = $1`, [userId]);
    await db.query(`DELETE FROM identity.accounts WHERE user_id = $1`, [userId]);
  }

  async setDisabledAt(db: PoolClient, userId: string, at: Date | null): Promise<void> {
    await db.query(`UPDATE identity.accounts SET disabled_at = $2 WHERE user_id = $1`, [userId, at]);
  }

  async setRoles(db: PoolClient, userId: string, roles: string[]): Promise<void> {
    await db.query(`UPDATE identity.accounts SET roles = $2 WHERE user_id = $1`, [userId, roles]);
  }

  /** Locks the row: second-factor checks and recovery-code consumption must not race each other. */
  async credentialsForUpdate(db: PoolClient, userId: string): Promise<CredentialsRow | undefined> {
    const { rows } = await db.query<CredentialsRow>(`SELECT * FROM identity.credentials WHERE user_id = $1 FOR UPDATE`, [userId]);
    return rows[0];
  }

  async credentials(userId: string, db: Db = this.pool): Promise<CredentialsRow | undefined> {
    const { rows } = await db.query<CredentialsRow>(`SELECT * FROM identity.credentials WHERE user_id = $1`, [userId]);
    return rows[0];
  }

  async setPendingTotp(db: Db, userId: string, sealed: Buffer): Promise<void> {
    await db.query(`UPDATE identity.credentials SET totp_pending_sealed = $2 WHERE user_id = $1`, [userId, sealed]);
  }

  async confirmTotp(db: PoolClient, userId: string, recoveryCodeHashes: string[]): Promise<void> {
    await db.query(
      `UPDATE identity.credentials SET totp_secret_sealed = totp_pending_sealed, totp_pending_sealed = NULL, recovery_code_hashes = $2 WHERE user_id = $1`,
      [userId, recoveryCodeHashes],
    );
    await db.query(`UPDATE identity.accounts SET mfa_enrolled = true WHERE user_id = $1`, [userId]);
  }

  async resetMfa(db: PoolClient, userId: string): Promise<void> {
    await db.query(`UPDATE identity.credentials SET totp_secret_sealed = NULL, totp_pending_sealed = NULL, recovery_code_hashes = '{}' WHERE user_id = $1`, [
      userId,
    ]);
    await db.query(`UPDATE identity.accounts SET mfa_enrolled = false WHERE user_id = $1`, [userId]);
  }

  /**
   * The same password under new hashing parameters (`needsRehash` at sign-in): the hash only, not the change date
   * nor the history, and only while the stored hash is still the one that was verified, so a password changed in the
   * meantime is never overwritten by the old one. True when the row was upgraded.
   */
  async upgradePasswordHash(userId: string, verifiedHash: string, upgradedHash: string): Promise<boolean> {
    const result = await this.pool.query(`UPDATE identity.credentials SET password_hash = $3 WHERE user_id = $1 AND password_hash = $2`, [
      userId,
      verifiedHash,
      upgradedHash,
    ]);
    return result.rowCount === 1;
  }

  /** The holder's own new password: the change a registration asked for is done. */
  async setPassword(db: PoolClient, userId: string, hash: string, history: string[], now: Date): Promise<void> {
    await db.query(
      `UPDATE identity.credentials SET password_hash = $2, password_history = $3, password_changed_at = $4, password_change_required = false, one_time_password_issued_at = NULL WHERE user_id = $1`,
      [userId, hash, history, now],
    );
  }

  /**
   * A password an administrator set (a reset): its holder must change it at the next sign-in, and it is a one-time
   * password, expiring `CRM_ONE_TIME_PASSWORD_TTL_SECONDS` after `now` (the time the reset was decided).
   */
  async resetPassword(db: PoolClient, userId: string, hash: string, history: string[], now: Date): Promise<void> {
    await db.query(
      `UPDATE identity.credentials SET password_hash = $2, password_history = $3, password_changed_at = $4, password_change_required = true, one_time_password_issued_at = $4 WHERE user_id = $1`,
      [userId, hash, history, now],
    );
  }

  async setRecoveryCodes(db: PoolClient, userId: string, hashes: string[]): Promise<void> {
    await db.query(`UPDATE identity.credentials SET recovery_code_hashes = $2 WHERE user_id = $1`, [userId, hashes]);
  }

  async customRoles(): Promise<Array<{ name: string; permissions: string[]; mfa_required: boolean }>> {
    const { rows } = await this.pool.query<{ name: string; permissions: string[]; mfa_required: boolean }>(
      `SELECT name, permissions, mfa_required FROM identity.roles ORDER BY name`,
    );
    return rows;
  }

  async insertRole(db: PoolClient, name: string, permissions: string[], mfaRequired: boolean): Promise<boolean> {
    const { rowCount } = await db.query(`INSERT INTO identity.roles (name, permissions, mfa_required) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [
      name,
      permissions,
      mfaRequired,
    ]);
    return rowCount === 1;
  }
}
