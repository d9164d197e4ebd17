import type { ServiceDefinition } from '@crm/platform';
import { AppModule } from './app.module.js';
import { DownstreamModule } from './downstream/downstream.module.js';

export const serviceDefinition: ServiceDefinition = {
  service: 'gateway',
  defaultPort: 8080,
  // The gateway keeps no data of its own: Redis for rate limits and sessions; downstream readiness is its readiness.
  needs: { redis: true, extraChecks: DownstreamModule.checkTokens() },
  module: () => AppModule.register(),
  openApi: {
    title: 'CRM platform API',
    description: 'The REST API of the privacy-first customer-data platform. Errors are JSON `{ code, message, correlationId }` with stable codes.',
  },
};
