import { Module, type DynamicModule } from '@nestjs/common';
import type { PlatformConfig } from '@crm/config';
import { BackboneModule } from '@crm/platform';
import { ConsentCommands } from './consents/consent-commands.service.js';
import { ConsentStates } from './consents/consent-states.repository.js';
import { CONSENT_SCHEMA, CONSENT_TOPIC } from './consents/consent.streams.js';
import { CONSENT_HANDLERS, CONSENT_ROUTES } from './consents/consent.use-cases.js';
import { ConsentWriteModel } from './consents/consent.write-model.js';
import { NOTICE_PROVIDERS, NOTICE_ROUTES } from './notices/notice.use-cases.js';
import { ListPurposesRoute } from './purposes/list-purposes.route.js';

@Module({})
export class ConsentModule {
  static register(config: PlatformConfig): DynamicModule {
    return {
      module: ConsentModule,
      imports: [BackboneModule.register(config, { schema: CONSENT_SCHEMA, topic: CONSENT_TOPIC })],
      controllers: [ListPurposesRoute, ...CONSENT_ROUTES, ...NOTICE_ROUTES],
      providers: [ConsentStates, ConsentWriteModel, ConsentCommands, ...CONSENT_HANDLERS, ...NOTICE_PROVIDERS],
    };
  }
}
