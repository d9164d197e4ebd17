import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { RedisSettings } from '@crm/config';
import type { HealthCheck } from '@crm/health';

export const REDIS = Symbol('REDIS');

export function createRedis(settings: RedisSettings, connectionName: string): Redis {
  return new Redis({
    host: settings.host,
    port: settings.port,
    password: settings.password.reveal(),
    connectionName,
    // Fail commands fast while disconnected instead of queueing them forever; callers decide about retries.
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    lazyConnect: false,
  });
}

@Injectable()
export class RedisHealthCheck implements HealthCheck {
  readonly name = 'redis';

  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async check(): Promise<void> {
    const answer = await this.redis.ping();
    if (answer !== 'PONG') throw new Error(`unexpected PING answer`);
  }
}

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

@Module({})
export class RedisModule {
  static forRoot(settings: RedisSettings, connectionName: string): DynamicModule {
    return {
      module: RedisModule,
      global: true,
      providers: [{ provide: REDIS, useFactory: () => createRedis(settings, connectionName) }, RedisHealthCheck, RedisCloser],
      exports: [REDIS, RedisHealthCheck],
    };
  }
}
