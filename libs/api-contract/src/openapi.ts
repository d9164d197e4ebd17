import { z } from 'zod';

/** A body's schema as the gateway's OpenAPI 3.0 document states it: the request as the service accepts it, the answer as it leaves. */
export function openApiSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

/**
 * A route's bodies, stated once and shared: the owning service validates the request with `request` (and types its
 * answer with `response`), and the gateway documents both from the same objects, so the OpenAPI document cannot drift
 * from what the service does.
 */
export interface BodyContract {
  /** The JSON body the route accepts (routes without one take none). */
  readonly request?: z.ZodType;
  /** The JSON body of the success answer (absent for 204 and for answers that are not JSON). */
  readonly response?: z.ZodType;
}

/** The body a route accepts, as its handler receives it after validation. */
export type RequestOf<C extends BodyContract> = C['request'] extends z.ZodType ? z.output<C['request']> : never;

/** The success body a route answers, as its handler returns it. */
export type ResponseOf<C extends BodyContract> = C['response'] extends z.ZodType ? z.input<C['response']> : never;
