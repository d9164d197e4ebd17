import { Module, type DynamicModule } from '@nestjs/common';
import type { PlatformConfig } from '@crm/config';
import { DrillsModule } from './drills/drills.module.js';
import { MirrorModule } from './mirror/mirror.module.js';
import { BackupsOverviewController } from './overview/backups-overview.controller.js';
import { SnapshotsModule } from './snapshots/snapshots.module.js';

/** The service's feature modules; connections and health come from the platform (see service.definition.ts). */
@Module({})
export class AppModule {
  static register(config: PlatformConfig, env: NodeJS.ProcessEnv = process.env): DynamicModule {
    // One snapshots module (one nightly scheduler and worker), shared by the drills.
    const snapshots = SnapshotsModule.register(config, env);
    return {
      module: AppModule,
      imports: [MirrorModule, snapshots, DrillsModule.register(config, env, snapshots)],
      controllers: [BackupsOverviewController],
    };
  }
}
