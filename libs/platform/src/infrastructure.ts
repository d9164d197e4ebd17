import type { DynamicModule, Type } from '@nestjs/common';
import type { PlatformConfig } from '@crm/config';
import { HealthModule, type HealthCheck } from '@crm/health';
import { KAFKA_BACKUP_HEALTH, KAFKA_PRIMARY_HEALTH, KafkaModule } from '@crm/messaging';
import { PostgresHealthCheck, PostgresModule } from '@crm/postgres';
import { RedisHealthCheck, RedisModule } from '@crm/redis';
import { ClockModule } from './clock.module.js';

export interface InfrastructureNeeds {
  postgres?: boolean;
  redis?: boolean;
  /** Which Kafka clusters the service talks to. */
  kafka?: 'primary' | 'primary+backup';
  /** Further readiness checks (providers registered by the service itself or by `extraModules`). */
  extraChecks?: Array<Type<HealthCheck> | symbol>;
  extraModules?: DynamicModule[];
  /** Whether `/health/ready` names the checks (internal services) or answers only up/down (the public gateway). */
  readinessDetails?: 'shown' | 'hidden';
}

/**
 * The connection modules a service needs plus a health module whose readiness covers exactly those connections,
 * so readiness can never forget a dependency the service actually uses.
 */
export function infrastructureModules(config: PlatformConfig, needs: InfrastructureNeeds): DynamicModule[] {
  const modules: DynamicModule[] = [];
  const checks: Array<Type<HealthCheck> | symbol> = [];
  if (needs.postgres === true) {
    if (config.postgres === undefined) throw new Error(`${config.service} needs Postgres but its configuration has none`);
    modules.push(PostgresModule.forRoot(config.postgres, { applicationName: config.service }));
    checks.push(PostgresHealthCheck);
  }
  if (needs.redis === true) {
    modules.push(RedisModule.forRoot(config.redis, config.service));
    checks.push(RedisHealthCheck);
  }
  if (needs.kafka !== undefined) {
    const withBackup = needs.kafka === 'primary+backup';
    modules.push(
      KafkaModule.forRoot({
        clientId: `crm-${config.service}`,
        primaryBrokers: config.kafka.primaryBrokers,
        sasl: config.kafka.sasl,
        ...(withBackup ? { backupBrokers: config.kafka.backupBrokers } : {}),
      }),
    );
    checks.push(KAFKA_PRIMARY_HEALTH, ...(withBackup ? [KAFKA_BACKUP_HEALTH] : []));
  }
  modules.push(...(needs.extraModules ?? []));
  checks.push(...(needs.extraChecks ?? []));
  return [{ module: ClockModule, global: true }, ...modules, HealthModule.register({ checks, details: needs.readinessDetails ?? 'shown' })];
}
