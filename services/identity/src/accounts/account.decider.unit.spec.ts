import { BUILT_IN_ROLES, PERMISSIONS } from '@crm/auth';
import { AppError } from '@crm/errors';
import { fold } from '@crm/eventstore';
import { accountDecider, type AccountCommand, type AccountEvent } from './account.decider.js';
import { registered, userId } from './account.fixtures.js';

// The aggregate composes the use cases' decisions (each is tested beside it, in `<use-case>/`): here, that every
// command reaches its own decision and that every change to an account needs the account.

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
  it.each<AccountCommand>([
    { type: 'AssignRoles', userId, roles: ['dpo'], grantedBy: 'admin-1' },
    { type: 'ChangePassword', userId, passwordHash: 'h', passwordHistory: [] },
    { type: 'ConfirmMfaEnrolment', userId, recoveryCodeHashes: [] },
    { type: 'ResetMfa', userId, resetBy: 'admin-1', resetterPermissions: PERMISSIONS, roleCatalogue: BUILT_IN_ROLES },
    {
      type: 'ResetPassword',
      userId,
      resetBy: 'admin-1',
      resetterPermissions: PERMISSIONS,
      roleCatalogue: BUILT_IN_ROLES,
      passwordHash: 'h',
      passwordHistory: [],
    },
  ])('given no account, when $type, then USER_NOT_FOUND', (command) => {
    expect(codeOf(given().when(command))).toBe('USER_NOT_FOUND');
  });

  it.each<{ history: AccountEvent[]; command: AccountCommand; events: AccountEvent[] }>([
    {
      history: [],
      command: { type: 'RegisterAccount', userId, email: 'ada@example.com', displayName: 'Ada', roles: ['sales'], passwordHash: 'h' },
      events: [registered],
    },
    {
      history: [registered],
      command: { type: 'AssignRoles', userId, roles: ['dpo'], grantedBy: 'admin-1' },
      events: [{ type: 'RolesAssigned', userId, roles: ['dpo'] }],
    },
    {
      history: [registered],
      command: { type: 'ChangePassword', userId, passwordHash: 'h', passwordHistory: [] },
      events: [{ type: 'PasswordChanged', userId }],
    },
    { history: [registered], command: { type: 'ConfirmMfaEnrolment', userId, recoveryCodeHashes: [] }, events: [{ type: 'MfaEnrolled', userId }] },
    {
      history: [registered],
      command: { type: 'ResetMfa', userId, resetBy: 'admin-1', resetterPermissions: PERMISSIONS, roleCatalogue: BUILT_IN_ROLES },
      events: [{ type: 'MfaReset', userId }],
    },
    {
      history: [registered],
      command: {
        type: 'ResetPassword',
        userId,
        resetBy: 'admin-1',
        resetterPermissions: PERMISSIONS,
        roleCatalogue: BUILT_IN_ROLES,
        passwordHash: 'h',
        passwordHistory: [],
      },
      events: [{ type: 'PasswordReset', userId }],
    },
  ])('when $command.type, then the decision of that use case answers', ({ history, command, events }) => {
    expect(given(...history).when(command)()).toEqual(events);
  });
});
