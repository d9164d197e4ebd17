// The gateway's routes are declared once, in its route manifest. This proves, route by route, that the guard the
// gateway enforces is the guard the owning service enforces, and that no service route is exposed by accident or
// left out by mistake. A drift on either side (a permission added in the service only, a step-up dropped at the
// edge) fails here by route name.
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { loadPlatformConfig } from '@crm/config';
import { createLogger } from '@crm/logging';
import { createServiceApp, type ServiceDefinition } from '@crm/platform';
import { routeGuards, testEnv, type RouteGuardDeclaration } from '@crm/testing';
import { serviceDefinition as audit } from '../../services/audit/src/service.definition.js';
import { serviceDefinition as backup } from '../../services/backup/src/service.definition.js';
import { serviceDefinition as consent } from '../../services/consent/src/service.definition.js';
import { serviceDefinition as contacts } from '../../services/contacts/src/service.definition.js';
import { serviceDefinition as gateway } from '../../services/gateway/src/service.definition.js';
import { serviceDefinition as identity } from '../../services/identity/src/service.definition.js';
import { ROUTES, type GatewayRoute } from '../../services/gateway/src/routes/route.manifest.js';
import { errorStatuses, successStatus } from '../../services/gateway/src/routes/routes.controller.js';
import { openApiSchema } from '@crm/api-contract';

const services: Record<GatewayRoute['service'], ServiceDefinition> = { identity, contacts, consent, audit, backup };

/** Service routes deliberately not reachable through the gateway, each with its reason. */
const INTERNAL_ONLY: Readonly<Record<string, string>> = {
  'GET /health/live': 'probed by the supervisor on the service port',
  'GET /health/ready': 'probed by the supervisor on the service port',
  'GET /v1/contacts/:param/subject-data': "contacts' whole record for the request desk: consent calls it with the DPO's token",
  'POST /v1/contacts/:param/subject-rectification': "the request desk's rectification: consent calls it with the DPO's token",
};

/** The same route whatever its parameters are called: `/v1/users/:userId` and `/v1/users/:id` are one route. */
const shape = (route: string): string => route.replace(/:[A-Za-z0-9_]+/g, ':param');

const guardOf = (declaration: RouteGuardDeclaration | undefined) =>
  declaration === undefined
    ? undefined
    : {
        public: declaration.public,
        permissions: declaration.public ? undefined : declaration.permissions,
        anyPermission: declaration.anyPermission,
        stepUp: declaration.stepUp,
      };

const manifestGuard = (route: GatewayRoute) =>
  'public' in route.guard
    ? { public: true, permissions: undefined, anyPermission: undefined, stepUp: false }
    : {
        public: false,
        permissions: [...route.guard.permissions],
        anyPermission: route.guard.anyPermission === undefined ? undefined : [...route.guard.anyPermission],
        stepUp: route.guard.stepUp === true,
      };

async function boot(definition: ServiceDefinition): Promise<INestApplication> {
  const config = loadPlatformConfig(
    { service: definition.service, defaultPort: definition.defaultPort, postgres: definition.needs.postgres === true },
    testEnv(),
  );
  const app = await createServiceApp(definition, config, createLogger({ service: definition.service, level: 'silent' }));
  await app.init();
  return app;
}

describe('the gateway route manifest', () => {
  const apps: INestApplication[] = [];
  const declared = new Map<string, Map<string, RouteGuardDeclaration>>();

  beforeAll(async () => {
    for (const [name, definition] of [['gateway', gateway] as const, ...Object.entries(services)]) {
      const app = await boot(definition);
      apps.push(app);
      declared.set(name, new Map(routeGuards(app).map((route) => [shape(route.route), route])));
    }
  }, 120_000);
  afterAll(() => Promise.all(apps.map((app) => app.close())));

  it('names every route once, and the gateway serves exactly the manifest (plus its own health and docs)', () => {
    const manifest = ROUTES.map((route) => shape(`${route.method} ${route.path}`));
    expect(new Set(manifest).size).toBe(manifest.length);
    const served = [...(declared.get('gateway')?.keys() ?? [])].filter((route) => !route.startsWith('GET /health/'));
    expect(served.sort()).toEqual([...manifest].sort());
  });

  it.each(ROUTES.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s: the gateway enforces the manifest guard, and it equals the owning service guard',
    (name, route) => {
      const atGateway = declared.get('gateway')?.get(shape(name));
      const atService = declared.get(route.service)?.get(shape(name));
      expect({ route: name, guard: guardOf(atGateway) }).toEqual({ route: name, guard: manifestGuard(route) });
      expect({ route: name, service: route.service, guard: guardOf(atService) }).toEqual({ route: name, service: route.service, guard: manifestGuard(route) });
    },
  );

  it('documents every route in the gateway OpenAPI document, with its summary and, unless public, bearer auth', () => {
    const document = SwaggerModule.createDocument(apps[0]!, new DocumentBuilder().addBearerAuth().build(), { autoTagControllers: false });
    const operations = ROUTES.map((route) => {
      const operation = document.paths[route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')]?.[route.method.toLowerCase() as 'get'];
      return {
        route: `${route.method} ${route.path}`,
        summary: operation?.summary,
        tags: operation?.tags,
        bearer: operation?.security?.some((entry) => 'bearer' in entry) ?? false,
      };
    });
    expect(operations).toEqual(
      ROUTES.map((route) => ({ route: `${route.method} ${route.path}`, summary: route.summary, tags: [route.service], bearer: !('public' in route.guard) })),
    );
  });

  it('documents, route by route, the path parameters, the success status the owning service answers and the error statuses', () => {
    const document = SwaggerModule.createDocument(apps[0]!, new DocumentBuilder().addBearerAuth().build(), { autoTagControllers: false });
    const described = ROUTES.map((route) => {
      const operation = document.paths[route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')]?.[route.method.toLowerCase() as 'get'];
      return {
        route: `${route.method} ${route.path}`,
        pathParameters: (operation?.parameters ?? []).flatMap((parameter) => ('in' in parameter && parameter.in === 'path' ? [parameter.name] : [])),
        statuses: Object.keys(operation?.responses ?? {}),
      };
    });
    expect(described).toEqual(
      ROUTES.map((route) => ({
        route: `${route.method} ${route.path}`,
        pathParameters: [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1]),
        statuses: [
          String(declared.get(route.service)?.get(shape(`${route.method} ${route.path}`))?.successStatus),
          ...(route.alsoStatus === undefined ? [] : [String(route.alsoStatus)]),
          ...errorStatuses(route).map(String),
        ],
      })),
    );
  });

  it("documents a route's request and success bodies from the shared contract, and its stable error codes", () => {
    const document = SwaggerModule.createDocument(apps[0]!, new DocumentBuilder().addBearerAuth().build(), { autoTagControllers: false });
    for (const route of ROUTES) {
      const operation = document.paths[route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')]?.[route.method.toLowerCase() as 'get'];
      const responses = (operation?.responses ?? {}) as Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
      const requestBody = operation?.requestBody as { content?: Record<string, { schema: unknown }> } | undefined;
      const name = `${route.method} ${route.path}`;
      expect({ name, request: requestBody?.content?.['application/json']?.schema }).toEqual({
        name,
        request: route.body?.request === undefined ? undefined : openApiSchema(route.body.request, 'input'),
      });
      const success = responses[String(successStatus(route))]?.content;
      expect({ name, types: Object.keys(success ?? {}) }).toEqual({
        name,
        types: route.produces ?? (route.body?.response === undefined ? [] : ['application/json']),
      });
      if (route.body?.response !== undefined) {
        expect({ name, response: success?.['application/json']?.schema }).toEqual({ name, response: openApiSchema(route.body.response, 'output') });
      }
      for (const [status, codes] of Object.entries(route.errorCodes ?? {})) {
        expect({ name, status, listed: errorStatuses(route).includes(Number(status)) }).toEqual({ name, status, listed: true });
        for (const code of codes ?? []) expect(responses[status]?.description).toContain(`\`${code}\``);
      }
    }
  });

  it('states the bodies of every route: what it accepts and, unless it answers 204 or not in JSON, what it answers', () => {
    const missing = ROUTES.filter((route) => {
      if (route.body === undefined) return true;
      return route.produces === undefined && successStatus(route) !== 204 && route.body.response === undefined;
    }).map((route) => `${route.method} ${route.path}`);
    expect(missing).toEqual([]);
  });

  it('leaves no service route out: each is in the manifest or deliberately internal', () => {
    const manifest = new Set(ROUTES.map((route) => `${route.service} ${shape(`${route.method} ${route.path}`)}`));
    const unexposed = Object.keys(services).flatMap((service) =>
      [...(declared.get(service)?.keys() ?? [])]
        .filter((route) => !manifest.has(`${service} ${route}`) && INTERNAL_ONLY[route] === undefined)
        .map((route) => `${service} ${route}`),
    );
    expect(unexposed).toEqual([]);
  });
});
