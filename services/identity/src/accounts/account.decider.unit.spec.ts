import { AppError } from '@crm/errors';
import { fold } from '@crm/eventstore';
import { accountDecider, type AccountCommand, type AccountEvent } from './account.decider.js';

const userId = '0190f3a4-1111-7000-8000-000000000001';
const registered: AccountEvent = { type: 'UserRegistered', userId, email: 'ada@example.com', displayName: 'Ada', roles: ['sales'] };

function given(...events: AccountEvent[]) {
  const state = fold(accountDecider, events);
  return { when: (command: AccountCommand) => () => accountDecider.decide(command, state) };
}

const codeOf = (decision: () => unknown): string | undefined => {
  try {
    decision();
  } catch (error) {
    return error instanceof AppError ? error.code : 'not an AppError';
  }
  return undefined;
};

describe('a staff account', () => {
  it('given no account, when it is registered, then UserRegistered carries who it is and its roles, never the password hash', () => {
    const events = given().when({
      type: 'RegisterAccount',
      userId,
      email: 'ada@example.com',
      displayName: 'Ada',
      roles: ['sales'],
      passwordHash: '$argon2id$x',
    })();

    expect(events).toEqual([registered]);
    expect(JSON.stringify(events)).not.toContain('argon2');
  });

  it('given a registered account, when it is registered again, then it is refused as USER_ALREADY_REGISTERED', () => {
    expect(
      codeOf(given(registered).when({ type: 'RegisterAccount', userId, email: 'x@example.com', displayName: 'X', roles: ['sales'], passwordHash: 'h' })),
    ).toBe('USER_ALREADY_REGISTERED');
  });

  it.each<AccountCommand>([
    { type: 'AssignRoles', userId, roles: ['dpo'] },
    { type: 'ChangePassword', userId, passwordHash: 'h', passwordHistory: [] },
    { type: 'ConfirmMfaEnrolment', userId, recoveryCodeHashes: [] },
    { type: 'ResetMfa', userId },
  ])('given no account, when $type, then USER_NOT_FOUND', (command) => {
    expect(codeOf(given().when(command))).toBe('USER_NOT_FOUND');
  });

  it('given an account, when roles are assigned, then RolesAssigned holds exactly the new roles, and the state follows', () => {
    const events = given(registered).when({ type: 'AssignRoles', userId, roles: ['dpo', 'sales'] })();

    expect(events).toEqual([{ type: 'RolesAssigned', userId, roles: ['dpo', 'sales'] }]);
    expect(fold(accountDecider, [registered, ...events]).roles).toEqual(['dpo', 'sales']);
  });

  it('given an enrolled second factor, when enrolment is confirmed again, then MFA_ALREADY_ENROLLED; after a reset it may be enrolled again', () => {
    const enrolled: AccountEvent = { type: 'MfaEnrolled', userId };
    const confirm: AccountCommand = { type: 'ConfirmMfaEnrolment', userId, recoveryCodeHashes: ['h'] };

    expect(codeOf(given(registered, enrolled).when(confirm))).toBe('MFA_ALREADY_ENROLLED');
    expect(given(registered, enrolled, { type: 'MfaReset', userId }).when(confirm)()).toEqual([enrolled]);
  });

  it('given an account, when the password changes, then PasswordChanged names the user only', () => {
    expect(given(registered).when({ type: 'ChangePassword', userId, passwordHash: '$argon2id$new', passwordHistory: ['$argon2id$old'] })()).toEqual([
      { type: 'PasswordChanged', userId },
    ]);
  });
});
