import { fold } from '@crm/eventstore';
import { accountDecider, type AccountEvent } from '../account.decider.js';
import { decideRegisterAccount, type RegisterAccountCommand } from './register-account.decision.js';
import { registered, userId } from '../account.fixtures.js';

const given = (...events: AccountEvent[]) => fold(accountDecider, events);

describe('registering a staff account', () => {
  it('given no account, when it is registered, then UserRegistered carries who it is and its roles, never the password hash', () => {
    const command: RegisterAccountCommand = {
      type: 'RegisterAccount',
      userId,
      email: 'ada@example.com',
      displayName: 'Ada',
      roles: ['sales'],
      passwordHash: '$argon2id$x',
    };

    const events = decideRegisterAccount(command, given());

    expect(events).toEqual([registered]);
    expect(JSON.stringify(events)).not.toContain('argon2');
  });

  it('given no account, when an administrator (or the first start) registers it, then its holder must change the password before any session', () => {
    const command: RegisterAccountCommand = {
      type: 'RegisterAccount',
      userId,
      email: 'ada@example.com',
      displayName: 'Ada',
      roles: ['sales'],
      passwordHash: 'h',
    };

    const events = decideRegisterAccount(command, given());

    expect(events).toEqual([expect.objectContaining({ type: 'UserRegistered', passwordChangeRequired: true })]);
    expect(given(...events).passwordChangeRequired).toBe(true);
  });

  it('given a registered account, when it is registered again, then it is refused as USER_ALREADY_REGISTERED', () => {
    const again: RegisterAccountCommand = { type: 'RegisterAccount', userId, email: 'x@example.com', displayName: 'X', roles: ['sales'], passwordHash: 'h' };

    expect(() => decideRegisterAccount(again, given(registered))).toThrow(
      expect.objectContaining({ name: 'AppError', code: 'USER_ALREADY_REGISTERED', kind: 'conflict' }),
    );
  });
});
