import type { ServiceDefinition } from '@crm/platform';
import { AppModule } from './app.module.js';
import { DownstreamModule } from './downstream/downstream.module.js';
import { loadGatewayConfig } from './gateway.config.js';
import { securityHeaders } from './security-headers/security-headers.js';

export const serviceDefinition: ServiceDefinition = {
  service: 'gateway',
  defaultPort: 8080,
  // The gateway keeps no data of its own: Redis for rate limits and sessions; downstream readiness is its readiness.
  // Readiness answers anonymous callers up or down only: which services stand behind it is nobody's business outside.
  needs: { redis: true, extraChecks: DownstreamModule.checkTokens(), readinessDetails: 'hidden' },
  module: () => AppModule.register(),
  // Bodies are streamed to the owning service as received; the service parses and limits them.
  bodies: 'stream',
  configureHttp: (app) => {
    const { trustedProxies } = loadGatewayConfig();
    app.set('trust proxy', trustedProxies.length === 0 ? false : trustedProxies);
    app.use(securityHeaders());
  },
  openApi: {
    title: 'CRM platform API',
    description: 'The REST API of the privacy-first customer-data platform. Errors are JSON `{ code, message, correlationId }` with stable codes.',
  },
};
