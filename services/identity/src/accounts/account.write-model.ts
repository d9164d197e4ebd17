import { Inject, Injectable } from '@nestjs/common';
import { dateFromTimestamp, SealedFieldSchema, toBinary } from '@crm/contracts';
import { isCryptoError, sealedFieldToProto, type BlindIndexer, type FieldCipher } from '@crm/crypto';
import type { EventCodec, LoadedState, StateChange, StateRowsRefold, WriteModel } from '@crm/eventstore';
import { BLIND_INDEXER, FIELD_CIPHER } from '@crm/platform';
import type { PoolClient } from '@crm/postgres';
import { accountCodec, ACCOUNT_EMAIL_FIELD, ACCOUNT_NAME_FIELD } from './account.codec.js';
import { accountDecider, type AccountCommand, type AccountEvent, type AccountState } from './account.decider.js';
import { AccountsRepository } from './accounts.repository.js';
import { IDENTITY_SCHEMA } from './identity.events.js';

export const EMAIL_INDEX = 'identity.email';
export const accountStream = (userId: string): string => `user-${userId}`;

/**
 * The staff account as the command pipeline runs it. The decision's state is the account row, locked `FOR UPDATE`
 * (so concurrent changes to one account queue), and the version is the account stream's, read under that lock: the
 * row is written in the same transaction as every event of the account, so it is the state the stream folds to.
 * Sign-ins are not on this stream (they are one-event streams of their own), so it stays short.
 */
@Injectable()
export class AccountWriteModel implements WriteModel<AccountCommand, AccountState, AccountEvent> {
  readonly decider = accountDecider;
  readonly codec: EventCodec<AccountEvent>;

  constructor(
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
    @Inject(BLIND_INDEXER) private readonly indexer: BlindIndexer<string>,
    private readonly accounts: AccountsRepository,
  ) {
    this.codec = accountCodec(cipher);
  }

  streamOf(command: AccountCommand): string {
    return accountStream(command.userId);
  }

  async load(tx: PoolClient, command: AccountCommand, streamId: string): Promise<LoadedState<AccountState>> {
    const row = await this.accounts.byId(command.userId, tx, { forUpdate: true });
    const { rows } = await tx.query<{ version: string }>(
      `SELECT coalesce(max(stream_version), 0)::text AS version FROM ${IDENTITY_SCHEMA}.events WHERE stream_id = $1`,
      [streamId],
    );
    const version = BigInt(rows[0]?.version ?? '0');
    if (row === undefined) return { state: accountDecider.initialState(), version };
    const credentials = await this.accounts.credentials(command.userId, tx);
    return {
      state: {
        status: row.disabled_at === null ? 'active' : 'disabled',
        roles: row.roles,
        mfaEnrolled: row.mfa_enrolled,
        passwordChangeRequired: credentials?.password_change_required ?? false,
      },
      version,
    };
  }

  async save(tx: PoolClient, { command, events, at }: StateChange<AccountCommand, AccountState, AccountEvent>): Promise<void> {
    for (const event of events) {
      switch (event.type) {
        case 'UserRegistered': {
          if (command.type !== 'RegisterAccount') throw new Error('UserRegistered comes from RegisterAccount only');
          await this.accounts.insert(tx, await this.#row(event), { passwordHash: command.passwordHash, changeRequired: event.passwordChangeRequired }, at);
          break;
        }
        case 'RolesAssigned':
        case 'UserDisabled':
        case 'UserEnabled':
        case 'UserDeleted':
          await this.#applyPlain(tx, event, at);
          break;
        case 'PasswordChanged':
          if (command.type !== 'ChangePassword') throw new Error('PasswordChanged comes from ChangePassword only');
          await this.accounts.setPassword(tx, event.userId, command.passwordHash, command.passwordHistory, at);
          break;
        case 'PasswordReset':
          if (command.type !== 'ResetPassword') throw new Error('PasswordReset comes from ResetPassword only');
          await this.accounts.resetPassword(tx, event.userId, command.passwordHash, command.passwordHistory, at);
          break;
        case 'MfaEnrolled':
          if (command.type !== 'ConfirmMfaEnrolment') throw new Error('MfaEnrolled comes from ConfirmMfaEnrolment only');
          await this.accounts.confirmTotp(tx, event.userId, command.recoveryCodeHashes);
          break;
        case 'MfaReset':
          await this.accounts.resetMfa(tx, event.userId);
          break;
        default: {
          const _exhaustive: never = event;
          throw new Error(`unhandled ${String(_exhaustive)}`);
        }
      }
    }
  }

  async #row(event: Extract<AccountEvent, { type: 'UserRegistered' }>) {
    const seal = async (field: string, value: string) =>
      Buffer.from(toBinary(SealedFieldSchema, sealedFieldToProto(await this.cipher.seal(event.userId, field, value))));
    return {
      user_id: event.userId,
      email_index: this.indexer.blindIndex(EMAIL_INDEX, event.email),
      email_sealed: await seal(ACCOUNT_EMAIL_FIELD, event.email),
      name_sealed: await seal(ACCOUNT_NAME_FIELD, event.displayName),
      roles: event.roles,
    };
  }

  /**
   * The rows of an account whose stream a restore replayed events into (docs/backup.md): the events from
   * `replayedFrom` on are applied as `save` applies them, except for what no event carries. A password set after the
   * snapshot is unknown (hashes are never in events), and the row's older one must not come back: the account gets an
   * unusable password, so signing in fails until an administrator resets it. A second factor enrolled after the
   * snapshot has no secret here: it is reset, and enrolled again at the next sign-in.
   */
  rowsRefold(): StateRowsRefold {
    const prefix = accountStream('');
    return {
      matches: (streamId) => streamId.startsWith(prefix),
      refold: async (tx, streamId, recorded, replayedFrom) => {
        const userId = streamId.slice(prefix.length);
        for (const replayed of recorded.filter((event) => event.streamVersion >= replayedFrom)) {
          let event: AccountEvent;
          try {
            event = await this.codec.decode(replayed.envelope);
          } catch (error) {
            // A deleted account's key is shredded: nothing of it may come back.
            if (!isCryptoError(error, 'KEY_SHREDDED')) throw error;
            await this.accounts.delete(tx, userId);
            return;
          }
          const at = replayed.envelope.occurredAt === undefined ? new Date(0) : dateFromTimestamp(replayed.envelope.occurredAt);
          await this.#replay(tx, event, at);
        }
      },
    };
  }

  async #replay(tx: PoolClient, event: AccountEvent, at: Date): Promise<void> {
    switch (event.type) {
      case 'UserRegistered':
        await this.accounts.insert(tx, await this.#row(event), { passwordHash: UNKNOWN_PASSWORD, changeRequired: true }, at);
        return;
      case 'PasswordChanged':
      case 'PasswordReset': {
        const history = (await this.accounts.credentials(event.userId, tx))?.password_history ?? [];
        await this.accounts.resetPassword(tx, event.userId, UNKNOWN_PASSWORD, history, at);
        return;
      }
      case 'MfaEnrolled':
      case 'MfaReset':
        await this.accounts.resetMfa(tx, event.userId);
        return;
      case 'RolesAssigned':
      case 'UserDisabled':
      case 'UserEnabled':
      case 'UserDeleted':
        // Nothing secret in these: the same rows as the command wrote.
        await this.#applyPlain(tx, event, at);
    }
  }

  /** The events whose rows need nothing but the event itself. */
  async #applyPlain(
    tx: PoolClient,
    event: Extract<AccountEvent, { type: 'RolesAssigned' | 'UserDisabled' | 'UserEnabled' | 'UserDeleted' }>,
    at: Date,
  ): Promise<void> {
    switch (event.type) {
      case 'RolesAssigned':
        return this.accounts.setRoles(tx, event.userId, event.roles);
      case 'UserDisabled':
        return this.accounts.setDisabledAt(tx, event.userId, at);
      case 'UserEnabled':
        return this.accounts.setDisabledAt(tx, event.userId, null);
      case 'UserDeleted':
        return this.accounts.delete(tx, event.userId);
    }
  }
}

/** Not an Argon2 hash: the hasher verifies nothing against it (fails closed), so no password signs in. */
const UNKNOWN_PASSWORD = '!unknown: set after the restored snapshot; an administrator resets it';
