import { Injectable, Module, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import type { PlatformConfig } from '@crm/config';
import type { FieldCipher } from '@crm/crypto';
import { BackboneModule, FIELD_CIPHER, STATE_ROWS_REFOLDS, StateRowsCatchUp, type ScheduleSettings } from '@crm/platform';
import { ANALYTICS_KEY, analyticsKeyFile, loadAnalyticsKey } from './analytics/analytics-key.js';
import { AnalyticsStream } from './analytics/analytics-stream.js';
import { ANALYTICS_STREAM_GROUP, AnalyticsStreamController, analyticsStreamGroup } from './analytics/analytics-stream.controller.js';
import { AccessRecorder } from './access-recording/access.recorder.js';
import { ContactViews } from './contact-views/contact-views.service.js';
import { CONTACTS_CONFIG, loadContactsConfig, type ContactsConfig } from './contacts.config.js';
import { ContactCommands } from './contacts/contact-commands.service.js';
import { ContactWriteModel } from './contacts/contact.write-model.js';
import { CONTACTS_SCHEMA, CONTACTS_TOPIC, SEARCH_INDEX_NORMALISERS } from './contacts/contact.streams.js';
import { CONTACT_HANDLERS, CONTACT_ROUTES } from './contacts/contact.use-cases.js';
import { ContactErasure } from './erasure/contact-erasure.service.js';
import { ErasureController } from './erasure/erasure.controller.js';
import { KEK_ROTATION_SETTINGS, KekRotationJobs, type KekRotationSettings } from './erasure/kek-rotation/kek-rotation.jobs.js';
import { TransactionPurge } from './erasure/transaction.purge.js';
import { ContactExport } from './export/contact-export.service.js';
import { ExportController } from './export/export.controller.js';
import { ContactImport } from './import/contact-import.service.js';
import { ImportController } from './import/import.controller.js';
import { IMPORT_JOB_SETTINGS, ImportJobs, type ImportJobSettings } from './import/import.jobs.js';
import { ConsentStatesController } from './lawful-basis/consent-states.controller.js';
import { CONSENT_STATES_GROUP, consentStatesGroup } from './lawful-basis/consent-states.projection.js';
import { LawfulBasis } from './lawful-basis/lawful-basis.service.js';
import { ContactProjection } from './read-model/contact.projection.js';
import { ContactsRepository } from './read-model/contacts.repository.js';
import { contactRowsRefold } from './read-model/read-model.rebuild.js';
import { REGISTER_ACTIVITIES_GROUP, RegisterActivitiesController, registerActivitiesGroup } from './retention/register-activities.projection.js';
import { LegalHoldController, RetentionController } from './retention/retention.controller.js';
import { RETENTION_JOB_SETTINGS, RetentionJobs } from './retention/retention.jobs.js';
import { RetentionRepository } from './retention/retention.repository.js';
import { RetentionPolicies } from './retention/retention.service.js';
import { RETENTION_SWEEP_SETTINGS, RetentionSweep, type RetentionSweepSettings } from './retention/retention.sweep.js';

@Injectable()
class ReadModelMigration implements OnApplicationBootstrap {
  constructor(
    private readonly contacts: ContactsRepository,
    private readonly purchases: TransactionPurge,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.purchases.schedule();
  }
}

@Module({})
export class ContactsModule {
  static register(config: PlatformConfig): DynamicModule {
    return {
      module: ContactsModule,
      imports: [BackboneModule.register(config, { schema: CONTACTS_SCHEMA, topic: CONTACTS_TOPIC, blindIndexes: SEARCH_INDEX_NORMALISERS })],
      // Export and import before the `:id` routes, so `export` is never taken for an id.
      controllers: [
        ExportController,
        ImportController,
        ErasureController,
        RetentionController,
        LegalHoldController,
        ...CONTACT_ROUTES,
        ConsentStatesController,
        RegisterActivitiesController,
        AnalyticsStreamController,
      ],
      providers: [
        { provide: CONTACTS_CONFIG, useFactory: () => loadContactsConfig() },
        {
          provide: KEK_ROTATION_SETTINGS,
          inject: [CONTACTS_CONFIG],
          useFactory: ({ kekRotation }: ContactsConfig): KekRotationSettings => ({
            redis: config.redis,
            prefix: 'crm:contacts',
            pattern: kekRotation.schedule,
            timezone: kekRotation.timezone,
            rotationDays: kekRotation.days,
            graceDays: 1,
          }),
        },
        KekRotationJobs,
        {
          provide: RETENTION_SWEEP_SETTINGS,
          inject: [CONTACTS_CONFIG],
          useFactory: ({ retention }: ContactsConfig): RetentionSweepSettings => ({ leaseMs: retention.leaseSeconds * 1_000, batchSize: retention.batchSize }),
        },
        {
          provide: RETENTION_JOB_SETTINGS,
          inject: [CONTACTS_CONFIG],
          useFactory: ({ retention }: ContactsConfig): ScheduleSettings => ({
            redis: config.redis,
            // Per contacts database: a sweep runs against the database of the process that queued it.
            prefix: `crm:contacts:${config.postgres!.database}`,
            pattern: retention.schedule,
            timezone: retention.timezone,
          }),
        },
        RetentionRepository,
        RetentionPolicies,
        RetentionSweep,
        RetentionJobs,
        { provide: CONSENT_STATES_GROUP, useValue: consentStatesGroup(config.postgres!.database) },
        { provide: REGISTER_ACTIVITIES_GROUP, useValue: registerActivitiesGroup(config.postgres!.database) },
        { provide: ANALYTICS_STREAM_GROUP, useValue: analyticsStreamGroup(config.postgres!.database) },
        { provide: ANALYTICS_KEY, useFactory: () => loadAnalyticsKey(analyticsKeyFile(config.stateDir)) },
        AnalyticsStream,
        ContactsRepository,
        ReadModelMigration,
        ContactProjection,
        {
          provide: STATE_ROWS_REFOLDS,
          inject: [FIELD_CIPHER, ContactsRepository, ContactProjection],
          useFactory: (cipher: FieldCipher, contacts: ContactsRepository, projection: ContactProjection) => [
            contactRowsRefold({ cipher, contacts, projection }),
          ],
        },
        StateRowsCatchUp,
        ContactWriteModel,
        ContactCommands,
        ...CONTACT_HANDLERS,
        ContactViews,
        AccessRecorder,
        LawfulBasis,
        ContactErasure,
        TransactionPurge,
        ContactExport,
        {
          provide: IMPORT_JOB_SETTINGS,
          inject: [CONTACTS_CONFIG],
          useFactory: ({ imports }: ContactsConfig): ImportJobSettings => ({
            redis: config.redis,
            // Per contacts database, as retention's: an import runs against the database it was stored in.
            prefix: `crm:contacts:${config.postgres!.database}`,
            lockMs: imports.lockSeconds * 1_000,
          }),
        },
        ImportJobs,
        ContactImport,
      ],
    };
  }
}
