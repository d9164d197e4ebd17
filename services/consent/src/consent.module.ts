import { Module, type DynamicModule } from '@nestjs/common';
import type { PlatformConfig } from '@crm/config';
import { BackboneModule, STATE_ROWS_REFOLDS, StateRowsCatchUp } from '@crm/platform';
import { ConsentAccessRecorder } from './access-recording/consent-access.recorder.js';
import { CONSENT_CONFIRMATION_TTL_HOURS, confirmationTtlHours } from './consents/confirm-consent/confirmation-token.js';
import { ConsentCommands } from './consents/consent-commands.service.js';
import { ConsentStates } from './consents/consent-states.repository.js';
import { CONSENT_SCHEMA, CONSENT_TOPIC } from './consents/consent.streams.js';
import { CONSENT_HANDLERS, CONSENT_ROUTES } from './consents/consent.use-cases.js';
import { ConsentWriteModel } from './consents/consent.write-model.js';
import { KnownContactsController } from './known-contacts/known-contacts.controller.js';
import { KNOWN_CONTACTS_GROUP, knownContactsGroup } from './known-contacts/known-contacts.projection.js';
import { KnownContacts } from './known-contacts/known-contacts.repository.js';
import { NOTICE_PROVIDERS, NOTICE_ROUTES } from './notices/notice.use-cases.js';
import { NoticeWriteModel } from './notices/notice.write-model.js';
import { ListPurposesRoute } from './purposes/list-purposes.route.js';
import { RegisterViewController } from './register/register-view.controller.js';
import { RegisterView } from './register/register-view.repository.js';
import { REGISTER_VIEW_GROUP, registerViewGroup } from './register/register.projection.js';
import { REQUEST_DEADLINE_SETTINGS, type RequestDeadlineSettings } from './requests/deadline-jobs/request-deadline.jobs.js';
import { REQUEST_PROVIDERS, REQUEST_ROUTES } from './requests/request.use-cases.js';
import { RequestWriteModel } from './requests/request.write-model.js';

/**
 * The request deadline jobs' settings: the platform's Redis, and from the environment BullMQ's key prefix
 * (`CRM_REQUEST_JOBS_PREFIX`, default `crm:consent`; tests give each app its own) and the sweep interval
 * (`CRM_REQUEST_DEADLINES_EVERY_MS`, default one minute).
 */
export function requestDeadlineSettings(config: PlatformConfig, env: NodeJS.ProcessEnv = process.env): RequestDeadlineSettings {
  const everyMs = Number(env.CRM_REQUEST_DEADLINES_EVERY_MS ?? 60_000);
  if (!Number.isInteger(everyMs) || everyMs < 100) throw new Error('CRM_REQUEST_DEADLINES_EVERY_MS must be a whole number of milliseconds, at least 100');
  return { redis: config.redis, prefix: env.CRM_REQUEST_JOBS_PREFIX ?? 'crm:consent', everyMs };
}

@Module({})
export class ConsentModule {
  static register(config: PlatformConfig): DynamicModule {
    return {
      module: ConsentModule,
      imports: [BackboneModule.register(config, { schema: CONSENT_SCHEMA, topic: CONSENT_TOPIC })],
      controllers: [ListPurposesRoute, ...CONSENT_ROUTES, ...NOTICE_ROUTES, ...REQUEST_ROUTES, KnownContactsController, RegisterViewController],
      providers: [
        { provide: KNOWN_CONTACTS_GROUP, useValue: knownContactsGroup(config.postgres!.database) },
        KnownContacts,
        { provide: REGISTER_VIEW_GROUP, useValue: registerViewGroup(config.postgres!.database) },
        RegisterView,
        ConsentStates,
        ConsentAccessRecorder,
        ConsentWriteModel,
        ConsentCommands,
        ...CONSENT_HANDLERS,
        ...NOTICE_PROVIDERS,
        ...REQUEST_PROVIDERS,
        { provide: CONSENT_CONFIRMATION_TTL_HOURS, useFactory: () => confirmationTtlHours() },
        { provide: REQUEST_DEADLINE_SETTINGS, useFactory: () => requestDeadlineSettings(config) },
        {
          provide: STATE_ROWS_REFOLDS,
          inject: [ConsentWriteModel, NoticeWriteModel, RequestWriteModel],
          useFactory: (...models: Array<{ rowsRefold(): unknown }>) => models.map((model) => model.rowsRefold()),
        },
        StateRowsCatchUp,
      ],
    };
  }
}
