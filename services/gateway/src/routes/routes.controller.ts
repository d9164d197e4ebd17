import { applyDecorators, Controller, Delete, Get, Inject, Patch, Post, Put, Req, Res, type Type } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { openApiSchema } from '@crm/api-contract';
import { RequireStepUp } from '@crm/auth';
import { Public, RequireAnyPermission, RequirePermissions } from '@crm/http';
import { Forwarder } from '../forwarding/forwarder.js';
import type { GatewayRoute, HttpMethod, RouteGuard } from './route.manifest.js';

export const FORWARDER = Symbol('FORWARDER');

const METHOD: Readonly<Record<HttpMethod, (path: string) => MethodDecorator>> = { GET: Get, POST: Post, PUT: Put, PATCH: Patch, DELETE: Delete };

/** The guard decorators of a manifest entry: the very ones a service writes, read by the same global guard. */
export function guardDecorators(guard: RouteGuard): MethodDecorator {
  if ('public' in guard) return applyDecorators(Public());
  if (guard.anyPermission !== undefined && guard.permissions.length > 0) throw new Error('a route with anyPermission cannot also require all of a list');
  const decorators: MethodDecorator[] = [
    guard.anyPermission === undefined ? RequirePermissions(...guard.permissions) : RequireAnyPermission(...guard.anyPermission),
  ];
  if (guard.stepUp === true) decorators.push(RequireStepUp());
  return applyDecorators(...decorators, ApiBearerAuth());
}

/** `GET /v1/contacts/:id/transactions` → `getV1ContactsIdTransactions`: the handler's name and OpenAPI operation id. */
export function handlerName(route: Pick<GatewayRoute, 'method' | 'path'>): string {
  return route.method.toLowerCase() + route.path.replace(/[^A-Za-z0-9]+([A-Za-z0-9])?/g, (_match, next?: string) => (next ?? '').toUpperCase());
}

/** The status a route answers on success: the manifest's, else the method's default (as Nest's for a service). */
export function successStatus(route: Pick<GatewayRoute, 'method' | 'status'>): number {
  return route.status ?? (route.method === 'POST' ? 201 : 200);
}

/** Every error leaves as this body (`ErrorFilter` in @crm/http, and the gateway's own answers). */
const ERROR_BODY = {
  type: 'object',
  required: ['code', 'message', 'correlationId'],
  properties: {
    code: { type: 'string', description: 'Stable error code (`VALIDATION_FAILED`, `STEP_UP_REQUIRED`, …)' },
    message: { type: 'string' },
    correlationId: { type: 'string' },
    details: { type: 'object' },
  },
};

/**
 * The error statuses a route can answer, from what it is: any request can be malformed (400), rate limited (429) or
 * meet a service that does not answer (503); a guarded route refuses a missing or stale token (401) and a missing
 * permission or second factor (403); a route naming a resource may not find it (404) or find it erased (410); a
 * write can conflict (409) or carry too large a body (413). A route adds its own (`errors` in the manifest): a
 * credential route open to all refuses a bad credential (401).
 */
export function errorStatuses(route: Pick<GatewayRoute, 'method' | 'path' | 'guard' | 'errors'>): number[] {
  const statuses = [400, ...(route.errors ?? [])];
  if (!('public' in route.guard)) statuses.push(401, 403);
  if (route.path.includes(':')) statuses.push(404, 410);
  if (route.method !== 'GET') statuses.push(409, 413);
  statuses.push(429, 503);
  return [...new Set(statuses)].sort((a, b) => a - b);
}

/**
 * What a success answer carries, per media type: JSON with the contract's schema (when the contract states one), and
 * for the other forms a route produces (HTML, CSV) a string.
 */
function successContent(route: GatewayRoute): { content?: Record<string, { schema: Record<string, unknown> }> } {
  const json = route.body?.response === undefined ? undefined : openApiSchema(route.body.response, 'output');
  if (route.produces === undefined) return json === undefined ? {} : { content: { 'application/json': { schema: json } } };
  return {
    content: Object.fromEntries(
      route.produces.map((type) => [type, { schema: type === 'application/json' ? (json ?? { type: 'object' }) : { type: 'string' } }]),
    ),
  };
}

/** The OpenAPI description of a manifest entry: tag, summary, its path and query parameters, success and error statuses, media types. */
function documentation(route: GatewayRoute, operationId: string): MethodDecorator {
  const parameters = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => ApiParam({ name: match[1]!, required: true, type: String }));
  const query = (route.query ?? []).map((parameter) =>
    ApiQuery({
      name: parameter.name,
      required: parameter.required === true,
      description: parameter.description,
      ...(parameter.values === undefined ? { type: String } : { enum: [...parameter.values] }),
    }),
  );
  return applyDecorators(
    ApiTags(route.service),
    ApiOperation({ summary: route.summary, operationId }),
    ...parameters,
    ...query,
    ...(route.body?.request === undefined ? [] : [ApiBody({ required: true, schema: openApiSchema(route.body.request, 'input') })]),
    ...[successStatus(route), ...(route.alsoStatus === undefined ? [] : [route.alsoStatus])].map((status) =>
      ApiResponse({
        status,
        description: 'Success',
        ...successContent(route),
      }),
    ),
    ...errorStatuses(route).map((status) => {
      const codes = route.errorCodes?.[status];
      const description = `Error \`{ code, message, correlationId }\`${codes === undefined ? '' : `: ${codes.map((code) => `\`${code}\``).join(', ')}`}`;
      return ApiResponse({ status, description, content: { 'application/json': { schema: ERROR_BODY } } });
    }),
  );
}

/**
 * Builds the gateway's one controller from the route manifest: a handler per entry, carrying the entry's method,
 * path, guard and OpenAPI text as metadata exactly as a hand-written controller would, each forwarding to the
 * entry's service. Declaring a route is adding a line to the manifest; there is no forwarder to write.
 */
export function routesController(routes: readonly GatewayRoute[]): Type<unknown> {
  class GatewayRoutesController {
    constructor(@Inject(FORWARDER) readonly forwarder: Forwarder) {}
  }
  const prototype = GatewayRoutesController.prototype as unknown as Record<string, unknown>;
  const seen = new Set<string>();
  for (const route of routes) {
    const name = handlerName(route);
    if (seen.has(name)) throw new Error(`the route manifest names ${route.method} ${route.path} twice`);
    seen.add(name);
    const handler = function (this: GatewayRoutesController, request: Request, response: Response): Promise<void> {
      return this.forwarder.forward(route, request, response);
    };
    Object.defineProperty(handler, 'name', { value: name });
    const descriptor: PropertyDescriptor = { value: handler, writable: true, configurable: true, enumerable: false };
    Object.defineProperty(prototype, name, descriptor);
    Req()(prototype, name, 0);
    Res()(prototype, name, 1);
    const decorate = applyDecorators(METHOD[route.method](route.path), guardDecorators(route.guard), documentation(route, name));
    decorate(prototype, name, descriptor);
  }
  Controller()(GatewayRoutesController);
  return GatewayRoutesController;
}
