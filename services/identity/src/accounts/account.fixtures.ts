import type { AccountEvent } from './account.decider.js';

/** The account the deciders' specs start from: registered by an administrator, so its password must change first. */
export const userId = '0190f3a4-1111-7000-8000-000000000001';

export const registered: AccountEvent = {
  type: 'UserRegistered',
  userId,
  email: 'ada@example.com',
  displayName: 'Ada',
  roles: ['sales'],
  passwordChangeRequired: true,
};
