import { Module, type DynamicModule, type ModuleMetadata, type Type } from '@nestjs/common';
import { HEALTH_CHECKS, HealthController } from './health.controller.js';
import type { HealthCheck } from './health-check.js';

export interface HealthModuleOptions {
  /** Modules that provide the checks (PostgresModule, RedisModule, KafkaModule, …). */
  imports?: ModuleMetadata['imports'];
  /** The injection tokens of the checks this service's readiness depends on. */
  checks: Array<Type<HealthCheck> | string | symbol>;
}

@Module({})
export class HealthModule {
  static register(options: HealthModuleOptions): DynamicModule {
    return {
      module: HealthModule,
      imports: options.imports ?? [],
      controllers: [HealthController],
      providers: [
        {
          provide: HEALTH_CHECKS,
          inject: options.checks,
          useFactory: (...checks: HealthCheck[]) => checks,
        },
      ],
    };
  }
}
