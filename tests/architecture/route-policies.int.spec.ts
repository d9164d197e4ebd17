// Every endpoint states its guard (docs/architecture.md). A route with neither `@Public()` nor `@RequirePermissions(…)`
// fails here, by name, before it can ship (the deny-by-default guard would make it unreachable anyway).
import type { INestApplication } from '@nestjs/common';
import { loadPlatformConfig } from '@crm/config';
import { createLogger } from '@crm/logging';
import type { ServiceDefinition } from '@crm/platform';
import { createServiceApp } from '@crm/platform';
import { routePolicies, testEnv } from '@crm/testing';
import { serviceDefinition as audit } from '../../services/audit/src/service.definition.js';
import { serviceDefinition as backup } from '../../services/backup/src/service.definition.js';
import { serviceDefinition as consent } from '../../services/consent/src/service.definition.js';
import { serviceDefinition as contacts } from '../../services/contacts/src/service.definition.js';
import { serviceDefinition as gateway } from '../../services/gateway/src/service.definition.js';
import { serviceDefinition as identity } from '../../services/identity/src/service.definition.js';

const services: ServiceDefinition[] = [gateway, identity, contacts, consent, audit, backup];

describe.each(services.map((definition) => [definition.service, definition] as const))('the %s service', (_name, definition) => {
  let app: INestApplication;

  beforeAll(async () => {
    const config = loadPlatformConfig(
      { service: definition.service, defaultPort: definition.defaultPort, postgres: definition.needs.postgres === true },
      testEnv(),
    );
    app = await createServiceApp(definition, config, createLogger({ service: definition.service, level: 'silent' }));
    await app.init();
  });
  afterAll(() => app.close());

  it('declares a guard on every route', () => {
    const routes = routePolicies(app);
    expect(routes.length).toBeGreaterThan(0);
    expect(routes.filter((route) => route.policy === 'none').map((route) => route.route)).toEqual([]);
  });

  it('serves liveness and readiness publicly', () => {
    expect(routePolicies(app)).toEqual(
      expect.arrayContaining([
        { route: 'GET /health/live', policy: 'public' },
        { route: 'GET /health/ready', policy: 'public' },
      ]),
    );
  });
});
