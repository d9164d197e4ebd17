import type { ServiceDefinition } from '@crm/platform';
import { AppModule } from './app.module.js';
import { databaseMigrations } from './migrations.js';

export const serviceDefinition: ServiceDefinition = {
  service: 'backup',
  defaultPort: 8085,
  migrations: databaseMigrations,
  needs: { postgres: true, redis: true, kafka: 'primary+backup' },
  module: (config) => AppModule.register(config),
};
