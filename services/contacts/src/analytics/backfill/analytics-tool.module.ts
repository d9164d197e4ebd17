import { Module, type DynamicModule } from '@nestjs/common';
import type { PlatformConfig } from '@crm/config';
import { BackboneModule, infrastructureModules } from '@crm/platform';
import { CONTACTS_SCHEMA, CONTACTS_TOPIC, SEARCH_INDEX_NORMALISERS } from '../../contacts/contact.streams.js';
import { ContactProjection } from '../../read-model/contact.projection.js';
import { ContactsRepository } from '../../read-model/contacts.repository.js';
import { ANALYTICS_KEY, analyticsKeyFile, loadAnalyticsKey } from '../analytics-key.js';
import { AnalyticsStream } from '../analytics-stream.js';
import { AnalyticsBackfill } from './analytics-backfill.js';

/**
 * What the analytics command needs of the contacts service, and nothing else: its database and key vault (to open
 * the contacts' records), the primary cluster (to publish), the analytics key. No HTTP, no consumers, no outbox relay:
 * it runs beside the service.
 */
@Module({})
export class AnalyticsToolModule {
  static register(config: PlatformConfig): DynamicModule {
    return {
      module: AnalyticsToolModule,
      imports: [
        ...infrastructureModules(config, { postgres: true, kafka: 'primary' }),
        BackboneModule.register(config, { schema: CONTACTS_SCHEMA, topic: CONTACTS_TOPIC, blindIndexes: SEARCH_INDEX_NORMALISERS, relay: false }),
      ],
      providers: [
        { provide: ANALYTICS_KEY, useFactory: () => loadAnalyticsKey(analyticsKeyFile(config.stateDir)) },
        ContactsRepository,
        ContactProjection,
        AnalyticsStream,
        AnalyticsBackfill,
      ],
    };
  }
}
