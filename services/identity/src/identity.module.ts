import { Module, type DynamicModule } from '@nestjs/common';
import type { PlatformConfig } from '@crm/config';
import { BackboneModule } from '@crm/platform';
import { AccountsController } from './accounts/accounts.controller.js';
import { AccountsRepository } from './accounts/accounts.repository.js';
import { AccountWriteModel } from './accounts/account.write-model.js';
import { AccountsService, EMAIL_INDEX, PASSWORD_HASHER } from './accounts/accounts.service.js';
import { RoleWriteModel } from './accounts/role.write-model.js';
import { AdminBootstrap } from './accounts/admin.bootstrap.js';
import { IDENTITY_SCHEMA, IDENTITY_TOPIC } from './accounts/identity.events.js';
import { AuthenticationController } from './authentication/authentication.controller.js';
import { AuthenticationService } from './authentication/authentication.service.js';
import { PasswordController } from './authentication/password.controller.js';
import { loadIdentityConfig } from './identity.config.js';
import { IDENTITY_CONFIG } from './identity.tokens.js';
import { EnrolmentController } from './mfa-enrolment/enrolment.controller.js';
import { MfaEnrolmentService } from './mfa-enrolment/mfa-enrolment.service.js';
import { loadPasswordHashingSettings, PasswordHasher } from './passwords/index.js';
import { loadTokensConfig, TokensModule } from './tokens/index.js';

@Module({})
export class IdentityModule {
  static register(config: PlatformConfig): DynamicModule {
    return {
      module: IdentityModule,
      imports: [
        BackboneModule.register(config, { schema: IDENTITY_SCHEMA, topic: IDENTITY_TOPIC, blindIndexes: { [EMAIL_INDEX]: 'email' } }),
        TokensModule.register(loadTokensConfig(config)),
      ],
      controllers: [AuthenticationController, PasswordController, EnrolmentController, AccountsController],
      providers: [
        { provide: IDENTITY_CONFIG, useFactory: () => loadIdentityConfig(config) },
        { provide: PASSWORD_HASHER, useFactory: () => new PasswordHasher(loadPasswordHashingSettings()) },
        AccountsRepository,
        AccountWriteModel,
        RoleWriteModel,
        AccountsService,
        AuthenticationService,
        MfaEnrolmentService,
        AdminBootstrap,
      ],
    };
  }
}
