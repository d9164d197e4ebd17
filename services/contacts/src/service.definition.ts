import type { ServiceDefinition } from '@crm/platform';
import { AppModule } from './app.module.js';

export const serviceDefinition: ServiceDefinition = {
  service: 'contacts',
  defaultPort: 8082,
  needs: { postgres: true, redis: true, kafka: 'primary' },
  module: (config) => AppModule.register(config),
};
