import { fold } from '@crm/eventstore';
import { accountDecider } from '../account.decider.js';
import { decideChangePassword, type ChangePasswordCommand } from './change-password.decision.js';
import { registered, userId } from '../account.fixtures.js';

describe('changing a password', () => {
  it('given an account, when the password changes, then PasswordChanged names the user only', () => {
    const command: ChangePasswordCommand = { type: 'ChangePassword', userId, passwordHash: '$argon2id$new', passwordHistory: ['$argon2id$old'] };

    expect(decideChangePassword(command, fold(accountDecider, [registered]))).toEqual([{ type: 'PasswordChanged', userId }]);
  });

  it('given a password an administrator set, when its holder changes it, then the change it was asked for is done', () => {
    const command: ChangePasswordCommand = { type: 'ChangePassword', userId, passwordHash: '$argon2id$own', passwordHistory: ['$argon2id$set'] };
    const before = fold(accountDecider, [registered]);
    expect(before.passwordChangeRequired).toBe(true);

    const events = decideChangePassword(command, before);

    expect(fold(accountDecider, [registered, ...events]).passwordChangeRequired).toBe(false);
  });
});
