import { Module, type DynamicModule } from '@nestjs/common';
import type { PlatformConfig } from '@crm/config';
import { MirrorModule } from './mirror/mirror.module.js';
import { SnapshotsModule } from './snapshots/snapshots.module.js';

/** The service's feature modules; connections and health come from the platform (see service.definition.ts). */
@Module({})
export class AppModule {
  static register(config: PlatformConfig, env: NodeJS.ProcessEnv = process.env): DynamicModule {
    return { module: AppModule, imports: [MirrorModule, SnapshotsModule.register(config, env)] };
  }
}
