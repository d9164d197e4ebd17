export { Secret } from './secret.js';
export { ConfigError } from './config.errors.js';
export { loadConfig, secretFrom, portSchema, brokerListSchema, type Env } from './load-config.js';
export {
  loadPlatformConfig,
  LOG_LEVELS,
  type LogLevel,
  type PlatformConfig,
  type PlatformConfigOptions,
  type PostgresSettings,
  type RedisSettings,
  type KafkaSettings,
  type KafkaSaslSettings,
} from './platform.config.js';
export { loadGatewayForwardingSecret } from './gateway-forwarding.js';
export { DATABASE_OWNERS, KEY_VAULT_SERVICES, POSTGRES_ADMIN_ROLE, databaseOwnerRole, postgresPasswordFile, serviceRole } from './postgres-roles.js';
