import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AccountsRepository } from './accounts.repository.js';
import { BootstrapPassword } from './bootstrap-password.js';
import { RegisterAccountHandler } from './register-account/register-account.handler.js';
import { IDENTITY_CONFIG } from '../identity.tokens.js';
import type { IdentityConfig } from '../identity.config.js';

/**
 * First start: no account exists, so the administrator from CRM_ADMIN_EMAIL is created, with the password
 * `BootstrapPassword` gives (the operator's, or generated into `<state>/secrets/admin.password`). Like every
 * registered account it must change that password at its first sign-in; the administrator role holds sensitive
 * permissions, so it then enrols TOTP before anything else.
 */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  constructor(
    private readonly repository: AccountsRepository,
    private readonly registerAccount: RegisterAccountHandler,
    private readonly password: BootstrapPassword,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if ((await this.repository.count()) > 0) return;
    await this.registerAccount
      .execute(
        { email: this.config.adminEmail, displayName: 'Administrator', password: await this.password.obtain(), roles: ['administrator'] },
        'system',
        'bootstrap',
      )
      .then(() => new Logger('AdminBootstrap').log('created the first administrator account'))
      .catch((error: unknown) => {
        // Two instances booting together: the other one created it.
        if ((error as { code?: string }).code !== 'USER_EMAIL_TAKEN') throw error;
      });
  }
}
