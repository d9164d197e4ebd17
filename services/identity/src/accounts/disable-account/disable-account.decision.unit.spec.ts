import { fold } from '@crm/eventstore';
import { accountDecider, type AccountEvent } from '../account.decider.js';
import { decideDisableAccount, decideEnableAccount } from './disable-account.decision.js';
import { registered, userId } from '../account.fixtures.js';

const admin = '0190f3a4-1111-7000-8000-00000000000a';
const disabled: AccountEvent = { type: 'UserDisabled', userId };

describe('disabling and enabling a staff account', () => {
  it('given an active account, when an administrator disables it, then UserDisabled, and the state is disabled', () => {
    const events = decideDisableAccount({ type: 'DisableAccount', userId, disabledBy: admin }, fold(accountDecider, [registered]));

    expect(events).toEqual([disabled]);
    expect(fold(accountDecider, [registered, ...events]).status).toBe('disabled');
  });

  it('given an account, when its holder disables it themselves, then ACCOUNT_SELF_DISABLE (forbidden)', () => {
    expect(() => decideDisableAccount({ type: 'DisableAccount', userId, disabledBy: userId }, fold(accountDecider, [registered]))).toThrow(
      expect.objectContaining({ name: 'AppError', code: 'ACCOUNT_SELF_DISABLE', kind: 'forbidden' }),
    );
  });

  it('given a disabled account, when disabled again, then nothing is decided (a retry is harmless)', () => {
    expect(decideDisableAccount({ type: 'DisableAccount', userId, disabledBy: admin }, fold(accountDecider, [registered, disabled]))).toEqual([]);
  });

  it('given a disabled account, when enabled, then UserEnabled, and the state is active again', () => {
    const events = decideEnableAccount({ type: 'EnableAccount', userId }, fold(accountDecider, [registered, disabled]));

    expect(events).toEqual([{ type: 'UserEnabled', userId }]);
    expect(fold(accountDecider, [registered, disabled, ...events]).status).toBe('active');
  });

  it('given an active account, when enabled, then nothing is decided', () => {
    expect(decideEnableAccount({ type: 'EnableAccount', userId }, fold(accountDecider, [registered]))).toEqual([]);
  });

  it('given no account, when disabled or enabled, then USER_NOT_FOUND', () => {
    const none = accountDecider.initialState();
    expect(() => decideDisableAccount({ type: 'DisableAccount', userId, disabledBy: admin }, none)).toThrow(
      expect.objectContaining({ code: 'USER_NOT_FOUND' }),
    );
    expect(() => decideEnableAccount({ type: 'EnableAccount', userId }, none)).toThrow(expect.objectContaining({ code: 'USER_NOT_FOUND' }));
  });

  it('given a disabled account, when registered again under its id, then USER_ALREADY_REGISTERED', () => {
    expect(() =>
      accountDecider.decide(
        { type: 'RegisterAccount', userId, email: 'x@example.com', displayName: 'X', roles: ['sales'], passwordHash: 'h' },
        fold(accountDecider, [registered, disabled]),
      ),
    ).toThrow(expect.objectContaining({ code: 'USER_ALREADY_REGISTERED' }));
  });
});
