import { Module, type DynamicModule } from '@nestjs/common';
import { MirrorModule } from './mirror/mirror.module.js';

/** The service's feature modules; connections and health come from the platform (see service.definition.ts). */
@Module({})
export class AppModule {
  static register(): DynamicModule {
    return { module: AppModule, imports: [MirrorModule] };
  }
}
