import { Module, type DynamicModule, type ModuleMetadata, type Type } from '@nestjs/common';
import { HEALTH_CHECKS, HEALTH_OPTIONS, HealthController } from './health.controller.js';
import type { HealthCheck } from './health-check.js';

export interface HealthModuleOptions {
  /** Modules that provide the checks (PostgresModule, RedisModule, KafkaModule, …). */
  imports?: ModuleMetadata['imports'];
  /** The injection tokens of the checks this service's readiness depends on. */
  checks: Array<Type<HealthCheck> | string | symbol>;
  /**
   * `hidden`: readiness answers only `{ status }` (and logs which checks failed). For a public edge: which
   * dependencies a platform has and how fast they answer is reconnaissance for an anonymous caller. Default `shown`.
   */
  details?: 'shown' | 'hidden';
}

@Module({})
export class HealthModule {
  static register(options: HealthModuleOptions): DynamicModule {
    return {
      module: HealthModule,
      imports: options.imports ?? [],
      controllers: [HealthController],
      providers: [
        { provide: HEALTH_OPTIONS, useValue: { details: options.details ?? 'shown' } },
        {
          provide: HEALTH_CHECKS,
          inject: options.checks,
          useFactory: (...checks: HealthCheck[]) => checks,
        },
      ],
    };
  }
}
