import type { INestApplication } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { IS_PUBLIC, REQUIRED_PERMISSIONS } from '@crm/http';

const PATH_METADATA = 'path';
const METHOD_METADATA = 'method';
const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'ALL', 'OPTIONS', 'HEAD', 'SEARCH'];

export interface RoutePolicy {
  route: string;
  policy: 'public' | 'permissions' | 'none';
}

/** Every route of an application with the guard it declares: `@Public()`, `@RequirePermissions(…)`, or none. */
export function routePolicies(app: INestApplication): RoutePolicy[] {
  const routes: RoutePolicy[] = [];
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
        const decided = (metadataKey: string) =>
          Reflect.getMetadata(metadataKey, handler) !== undefined || Reflect.getMetadata(metadataKey, controller) !== undefined;
        const policy = decided(IS_PUBLIC) ? 'public' : decided(REQUIRED_PERMISSIONS) ? 'permissions' : 'none';
        const base = (Reflect.getMetadata(PATH_METADATA, controller) as string | undefined) ?? '';
        routes.push({ route: `${HTTP_METHODS[method] ?? method} /${[base, path].filter((part) => part && part !== '/').join('/')}`, policy });
      }
    }
  }
  return routes;
}
