import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from './config.errors.js';
import { brokerListSchema, loadConfig, portSchema, secretFrom, type Env } from './load-config.js';
import type { Secret } from './secret.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface PostgresSettings {
  host: string;
  port: number;
  user: string;
  password: Secret;
  database: string;
}

export interface RedisSettings {
  host: string;
  port: number;
  password: Secret;
}

export interface KafkaSettings {
  primaryBrokers: string[];
  backupBrokers: string[];
}

export interface PlatformConfig {
  service: string;
  host: string;
  port: number;
  stateDir: string;
  logLevel: LogLevel;
  /**
   * How recent a second factor must be for a `@RequireStepUp()` route (export, erasure, second-factor reset).
   * Five minutes by default; the test run shortens it so the end-to-end suite can watch a session go stale.
   */
  stepUpMaxAgeSeconds: number;
  /** Undefined for a service without a database (the gateway). */
  postgres: PostgresSettings | undefined;
  redis: RedisSettings;
  kafka: KafkaSettings;
}

const platformEnvSchema = z.object({
  CRM_STATE_DIR: z.string().min(1, 'required (the launcher sets it; default is <repo>/.crm)'),
  CRM_LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  CRM_BIND_HOST: z.string().min(1).default('127.0.0.1'),
  CRM_STEP_UP_MAX_AGE_SECONDS: z.coerce.number().int().min(10).max(3_600).default(300),
  CRM_PG_HOST: z.string().min(1).default('127.0.0.1'),
  CRM_PG_PORT: portSchema.default(55432),
  CRM_PG_USER: z.string().min(1).default('crm'),
  CRM_REDIS_HOST: z.string().min(1).default('127.0.0.1'),
  CRM_REDIS_PORT: portSchema.default(56379),
  CRM_KAFKA_PRIMARY_BROKERS: brokerListSchema.default(['127.0.0.1:9092']),
  CRM_KAFKA_BACKUP_BROKERS: brokerListSchema.default(['127.0.0.1:19092']),
});

export interface PlatformConfigOptions {
  /** Service name; also its Postgres database name. */
  service: string;
  /** Port used when `CRM_<SERVICE>_PORT` is not set. */
  defaultPort: number;
  /** Whether the service has a database (and so needs its password). Default true. */
  postgres?: boolean;
}

/** The settings every service shares: where it listens, its database, Redis and both Kafka clusters. */
export function loadPlatformConfig(options: PlatformConfigOptions, env: Env = process.env): PlatformConfig {
  const base = loadConfig(platformEnvSchema, env);
  const portVariable = `CRM_${options.service.toUpperCase()}_PORT`;
  const port = loadConfig(z.object({ [portVariable]: portSchema.default(options.defaultPort) }), env)[portVariable] as number;
  const secrets = join(base.CRM_STATE_DIR, 'secrets');
  const usesPostgres = options.postgres ?? true;
  const pgPassword = usesPostgres ? secretFrom(env, 'CRM_PG_PASSWORD', join(secrets, 'postgres-crm.password')) : undefined;
  if (usesPostgres && pgPassword === undefined) throw new ConfigError(['CRM_PG_PASSWORD: required']);
  const redisPassword = secretFrom(env, 'CRM_REDIS_PASSWORD', join(secrets, 'redis.password'));
  if (redisPassword === undefined) throw new ConfigError(['CRM_REDIS_PASSWORD: required']);
  return {
    service: options.service,
    host: base.CRM_BIND_HOST,
    port,
    stateDir: base.CRM_STATE_DIR,
    logLevel: base.CRM_LOG_LEVEL,
    stepUpMaxAgeSeconds: base.CRM_STEP_UP_MAX_AGE_SECONDS,
    postgres:
      pgPassword === undefined
        ? undefined
        : {
            host: base.CRM_PG_HOST,
            port: base.CRM_PG_PORT,
            user: base.CRM_PG_USER,
            password: pgPassword,
            database: env.CRM_PG_DATABASE ?? options.service,
          },
    redis: {
      host: base.CRM_REDIS_HOST,
      port: base.CRM_REDIS_PORT,
      password: redisPassword,
    },
    kafka: {
      primaryBrokers: base.CRM_KAFKA_PRIMARY_BROKERS,
      backupBrokers: base.CRM_KAFKA_BACKUP_BROKERS,
    },
  };
}
