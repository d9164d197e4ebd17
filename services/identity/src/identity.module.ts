import { loadGatewayForwardingSecret } from '@crm/config';
import { Module, type DynamicModule } from '@nestjs/common';
import type { PlatformConfig } from '@crm/config';
import { BackboneModule, STATE_ROWS_REFOLDS, StateRowsCatchUp } from '@crm/platform';
import { AccountViews } from './accounts/account.views.js';
import { AccountWriteModel, EMAIL_INDEX } from './accounts/account.write-model.js';
import { AccountsRepository } from './accounts/accounts.repository.js';
import { AdminBootstrap } from './accounts/admin.bootstrap.js';
import { BootstrapPassword } from './accounts/bootstrap-password.js';
import { AssignRolesHandler } from './accounts/assign-roles/assign-roles.handler.js';
import { AssignRolesRoute } from './accounts/assign-roles/assign-roles.route.js';
import { ChangePasswordHandler } from './accounts/change-password/change-password.handler.js';
import { ChangePasswordRoute } from './accounts/change-password/change-password.route.js';
import { DefineRoleHandler } from './accounts/define-role/define-role.handler.js';
import { DefineRoleRoute } from './accounts/define-role/define-role.route.js';
import { IDENTITY_SCHEMA, IDENTITY_TOPIC } from './accounts/identity.events.js';
import { ListAccountsHandler } from './accounts/list-accounts/list-accounts.handler.js';
import { ListAccountsRoute } from './accounts/list-accounts/list-accounts.route.js';
import { ListPermissionsRoute } from './accounts/list-permissions/list-permissions.route.js';
import { ListRolesHandler } from './accounts/list-roles/list-roles.handler.js';
import { ListRolesRoute } from './accounts/list-roles/list-roles.route.js';
import { RegisterAccountHandler } from './accounts/register-account/register-account.handler.js';
import { RegisterAccountRoute } from './accounts/register-account/register-account.route.js';
import { ResetMfaHandler } from './accounts/reset-mfa/reset-mfa.handler.js';
import { ResetMfaRoute } from './accounts/reset-mfa/reset-mfa.route.js';
import { ResetPasswordHandler } from './accounts/reset-password/reset-password.handler.js';
import { ResetPasswordRoute } from './accounts/reset-password/reset-password.route.js';
import { UnlockAccountHandler } from './accounts/unlock-account/unlock-account.handler.js';
import { UnlockAccountRoute } from './accounts/unlock-account/unlock-account.route.js';
import { RoleCatalogueReader } from './accounts/role-catalogue.js';
import { RoleWriteModel } from './accounts/role.write-model.js';
import { ViewAccountHandler } from './accounts/view-account/view-account.handler.js';
import { ViewAccountRoute } from './accounts/view-account/view-account.route.js';
import { SessionsHandler } from './accounts/sessions/sessions.handler.js';
import { DeleteAccountHandler } from './accounts/delete-account/delete-account.handler.js';
import { DeleteAccountRoute } from './accounts/delete-account/delete-account.route.js';
import { DisableAccountHandler } from './accounts/disable-account/disable-account.handler.js';
import { DisableAccountRoute } from './accounts/disable-account/disable-account.route.js';
import { SessionsRoute } from './accounts/sessions/sessions.route.js';
import { AuthenticationController } from './authentication/authentication.controller.js';
import { AuthenticationService } from './authentication/authentication.service.js';
import { loadIdentityConfig } from './identity.config.js';
import { IDENTITY_CONFIG, PASSWORD_HASHER, PASSWORD_POLICY, GATEWAY_FORWARDING_SECRET } from './identity.tokens.js';
import { EnrolmentController } from './mfa-enrolment/enrolment.controller.js';
import { MfaEnrolmentService } from './mfa-enrolment/mfa-enrolment.service.js';
import { loadPasswordHashingSettings, loadPasswordPolicy, PasswordHasher } from './passwords/index.js';
import { loadTokensConfig, TokensModule } from './tokens/index.js';

/** Staff accounts, one use case per folder (`accounts/<use-case>/`: its decision, handler and route). */
const ACCOUNT_USE_CASES = {
  routes: [
    ListAccountsRoute,
    ViewAccountRoute,
    RegisterAccountRoute,
    AssignRolesRoute,
    ResetMfaRoute,
    ResetPasswordRoute,
    UnlockAccountRoute,
    ChangePasswordRoute,
    ListRolesRoute,
    DefineRoleRoute,
    ListPermissionsRoute,
    SessionsRoute,
    DisableAccountRoute,
    DeleteAccountRoute,
  ],
  handlers: [
    ListAccountsHandler,
    ViewAccountHandler,
    RegisterAccountHandler,
    AssignRolesHandler,
    ResetMfaHandler,
    ResetPasswordHandler,
    UnlockAccountHandler,
    ChangePasswordHandler,
    ListRolesHandler,
    DefineRoleHandler,
    SessionsHandler,
    DisableAccountHandler,
    DeleteAccountHandler,
  ],
};

@Module({})
export class IdentityModule {
  static register(config: PlatformConfig): DynamicModule {
    return {
      module: IdentityModule,
      imports: [
        BackboneModule.register(config, { schema: IDENTITY_SCHEMA, topic: IDENTITY_TOPIC, blindIndexes: { [EMAIL_INDEX]: 'email' } }),
        TokensModule.register(loadTokensConfig(config)),
      ],
      controllers: [AuthenticationController, EnrolmentController, ...ACCOUNT_USE_CASES.routes],
      providers: [
        { provide: IDENTITY_CONFIG, useFactory: () => loadIdentityConfig(config) },
        { provide: PASSWORD_HASHER, useFactory: () => new PasswordHasher(loadPasswordHashingSettings()) },
        { provide: PASSWORD_POLICY, useFactory: () => loadPasswordPolicy() },
        { provide: GATEWAY_FORWARDING_SECRET, useFactory: () => loadGatewayForwardingSecret() },
        AccountsRepository,
        AccountWriteModel,
        { provide: STATE_ROWS_REFOLDS, inject: [AccountWriteModel], useFactory: (accounts: AccountWriteModel) => [accounts.rowsRefold()] },
        StateRowsCatchUp,
        RoleWriteModel,
        AccountViews,
        RoleCatalogueReader,
        ...ACCOUNT_USE_CASES.handlers,
        AuthenticationService,
        MfaEnrolmentService,
        BootstrapPassword,
        AdminBootstrap,
      ],
    };
  }
}
