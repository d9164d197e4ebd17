import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import type { PostgresSettings } from '@crm/config';
import type { HealthCheck } from '@crm/health';

export const PG_POOL = Symbol('PG_POOL');

export interface PoolOptions {
  /** Upper bound on connections; six services share one server with max_connections=200. */
  max?: number;
  applicationName?: string;
}

export function createPool(settings: PostgresSettings, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password.reveal(),
    database: settings.database,
    max: options.max ?? 10,
    application_name: options.applicationName ?? settings.database,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle connection that the server ends (a restart, an administrator's termination, a dropped database) is
  // reported as a pool 'error'; unheard, that event would crash the process. The pool has already discarded the
  // connection and the next query opens a new one; queries in flight get their own errors, so nothing is lost here.
  pool.on('error', () => undefined);
  return pool;
}

@Injectable()
export class PostgresHealthCheck implements HealthCheck {
  readonly name = 'postgres';

  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async check(): Promise<void> {
    await this.pool.query('SELECT 1');
  }
}

@Injectable()
class PoolCloser implements OnApplicationShutdown {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

@Module({})
export class PostgresModule {
  static forRoot(settings: PostgresSettings, options: PoolOptions = {}): DynamicModule {
    return {
      module: PostgresModule,
      global: true,
      providers: [{ provide: PG_POOL, useFactory: () => createPool(settings, options) }, PostgresHealthCheck, PoolCloser],
      exports: [PG_POOL, PostgresHealthCheck],
    };
  }
}
