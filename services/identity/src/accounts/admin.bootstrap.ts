import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AccountsRepository } from './accounts.repository.js';
import { RegisterAccountHandler } from './register-account/register-account.handler.js';
import { IDENTITY_CONFIG } from '../identity.tokens.js';
import type { IdentityConfig } from '../identity.config.js';

/**
 * First start: no account exists, so the administrator from CRM_ADMIN_EMAIL / CRM_ADMIN_PASSWORD is created. The
 * administrator role holds sensitive permissions, so their first sign-in must enrol TOTP before anything else.
 */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  constructor(
    private readonly repository: AccountsRepository,
    private readonly registerAccount: RegisterAccountHandler,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if ((await this.repository.count()) > 0) return;
    await this.registerAccount
      .execute(
        { email: this.config.adminEmail, displayName: 'Administrator', password: this.config.adminPassword.reveal(), roles: ['administrator'] },
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
