import { Module, type DynamicModule } from '@nestjs/common';
import type { PlatformConfig } from '@crm/config';
import { ConsentModule } from './consent.module.js';

/** The service's feature modules; connections and health come from the platform (see service.definition.ts). */
@Module({})
export class AppModule {
  static register(config: PlatformConfig): DynamicModule {
    return { module: AppModule, imports: [ConsentModule.register(config)] };
  }
}
