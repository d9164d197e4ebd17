import type { INestApplication } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { REQUIRE_STEP_UP } from '@crm/auth';
import { IS_PUBLIC, REQUIRED_ANY_PERMISSION, REQUIRED_PERMISSIONS } from '@crm/http';

const PATH_METADATA = 'path';
const METHOD_METADATA = 'method';
const HTTP_CODE_METADATA = '__httpCode__';
const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'ALL', 'OPTIONS', 'HEAD', 'SEARCH'];

export interface RoutePolicy {
  route: string;
  policy: 'public' | 'permissions' | 'none';
}

/** The guard a route declares, as data: what the global guard will read from its metadata. */
export interface RouteGuardDeclaration {
  /** `GET /v1/contacts/:id` (parameter names as declared). */
  route: string;
  public: boolean;
  /** `@RequirePermissions(…)`; undefined when the route declares none. */
  permissions: string[] | undefined;
  /** `@RequireAnyPermission(…)`. */
  anyPermission: string[] | undefined;
  stepUp: boolean;
  /** The status a success answers: `@HttpCode(…)`, else Nest's default (201 for POST, 200 otherwise). */
  successStatus: number;
}

/** Every route of an application with the guard it declares, read from the same metadata the guard reads. */
export function routeGuards(app: INestApplication): RouteGuardDeclaration[] {
  const routes: RouteGuardDeclaration[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (controller === null || typeof controller !== 'function') continue;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const key of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[key];
        if (key === 'constructor' || typeof handler !== 'function') continue;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as number | undefined;
        if (path === undefined || method === undefined) continue;
        const read = <T>(metadataKey: string): T | undefined =>
          (Reflect.getMetadata(metadataKey, handler) as T | undefined) ?? (Reflect.getMetadata(metadataKey, controller) as T | undefined);
        const base = (Reflect.getMetadata(PATH_METADATA, controller) as string | undefined) ?? '';
        const joined = [base, path]
          .flatMap((part) => part.split('/'))
          .filter((part) => part !== '')
          .join('/');
        routes.push({
          route: `${HTTP_METHODS[method] ?? method} /${joined}`,
          public: read<boolean>(IS_PUBLIC) === true,
          permissions: read<string[]>(REQUIRED_PERMISSIONS),
          anyPermission: read<string[]>(REQUIRED_ANY_PERMISSION),
          stepUp: read(REQUIRE_STEP_UP) !== undefined,
          successStatus: (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ?? (HTTP_METHODS[method] === 'POST' ? 201 : 200),
        });
      }
    }
  }
  return routes;
}

/** Every route of an application with the guard it declares: `@Public()`, `@RequirePermissions(…)`, or none. */
export function routePolicies(app: INestApplication): RoutePolicy[] {
  return routeGuards(app).map((guard) => ({ route: guard.route, policy: guard.public ? 'public' : guard.permissions !== undefined ? 'permissions' : 'none' }));
}
