import { systemClock } from '@crm/crypto';
import type { ServiceDefinition } from '@crm/platform';
import { IdentityModule } from './identity.module.js';
import { databaseMigrations } from './migrations.js';
import { loadTokensConfig, SigningKeyStore } from './tokens/index.js';

export const serviceDefinition: ServiceDefinition = {
  service: 'identity',
  defaultPort: 8081,
  migrations: databaseMigrations,
  needs: { postgres: true, redis: true, kafka: 'primary' },
  module: (config) => IdentityModule.register(config),
  // Identity verifies access tokens against its own key directory rather than fetching its own JWKS over HTTP. This
  // runs before the application (and its injected CLOCK) exists, so it is given the system clock CLOCK provides.
  verificationKeys: (config) => {
    const tokens = loadTokensConfig(config);
    const keys = new SigningKeyStore({
      directory: SigningKeyStore.directoryFor(config.stateDir),
      accessTokenLifetimeSeconds: tokens.accessTokenLifetimeSeconds,
      now: systemClock,
    });
    return () => keys.jwks();
  },
};
