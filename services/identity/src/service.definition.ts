import type { ServiceDefinition } from '@crm/platform';
import { AppModule } from './app.module.js';

export const serviceDefinition: ServiceDefinition = {
  service: 'identity',
  defaultPort: 8081,
  needs: { postgres: true, redis: true, kafka: 'primary' },
  module: () => AppModule.register(),
};
