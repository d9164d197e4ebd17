import { Inject, Injectable } from '@nestjs/common';
import { SealedFieldSchema, toBinary } from '@crm/contracts';
import { sealedFieldToProto, type BlindIndexer, type FieldCipher } from '@crm/crypto';
import type { EventCodec, LoadedState, StateChange, WriteModel } from '@crm/eventstore';
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
          const seal = async (field: string, value: string) =>
            Buffer.from(toBinary(SealedFieldSchema, sealedFieldToProto(await this.cipher.seal(event.userId, field, value))));
          const row = {
            user_id: event.userId,
            email_index: this.indexer.blindIndex(EMAIL_INDEX, event.email),
            email_sealed: await seal(ACCOUNT_EMAIL_FIELD, event.email),
            name_sealed: await seal(ACCOUNT_NAME_FIELD, event.displayName),
            roles: event.roles,
          };
          await this.accounts.insert(tx, row, { passwordHash: command.passwordHash, changeRequired: event.passwordChangeRequired }, at);
          break;
        }
        case 'RolesAssigned':
          await this.accounts.setRoles(tx, event.userId, event.roles);
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
        case 'UserDisabled':
          await this.accounts.setDisabledAt(tx, event.userId, at);
          break;
        case 'UserEnabled':
          await this.accounts.setDisabledAt(tx, event.userId, null);
          break;
        case 'UserDeleted':
          await this.accounts.delete(tx, event.userId);
          break;
        default: {
          const _exhaustive: never = event;
          throw new Error(`unhandled ${String(_exhaustive)}`);
        }
      }
    }
  }
}
