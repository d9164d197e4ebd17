import type { ServiceDefinition } from '@crm/platform';
import { AppModule } from './app.module.js';
import { databaseMigrations } from './migrations.js';

export const serviceDefinition: ServiceDefinition = {
  service: 'consent',
  defaultPort: 8083,
  migrations: databaseMigrations,
  needs: { postgres: true, redis: true, kafka: 'primary' },
  module: (config) => AppModule.register(config),
};
