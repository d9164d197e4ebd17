import { applyDecorators, Catch, UseFilters, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { throwError, type Observable } from 'rxjs';
import type { ProjectorOptions, ReactorOptions } from './processor.types.js';

/** Resolves a provider of the application (`app.get(token, { strict: false })`) for options known only at run time. */
export type Resolve = <T>(token: unknown) => T;

type Declared<O> = O extends unknown ? Omit<O, 'role' | 'name'> & { name?: string } : never;
export type ProjectorDeclaration = Declared<ProjectorOptions>;
export type ReactorDeclaration = Declared<ReactorOptions>;

/**
 * Options of a handler: given as they are, or computed when the transport starts (after every
 * `onApplicationBootstrap`), from providers, e.g. a topic pattern from configuration or a group named after a log id.
 * Resolving to `null` leaves the handler unsubscribed (a replica that does not ingest).
 */
export type Declaration<O> = O | ((resolve: Resolve) => O | null | Promise<O | null>);

/** The key of a handler's `@EventPattern` extras that the Kafka event transport reads. */
export const PROCESSOR_EXTRAS = 'crmProcessor';

export type ProcessorExtras =
  { role: 'projector'; declaration: Declaration<ProjectorDeclaration> } | { role: 'reactor'; declaration: Declaration<ReactorDeclaration> };

/**
 * Nest's RPC exception filters turn every unknown error into `{ status: 'error' }`; the processor needs the error
 * itself (its code decides between retry and dead letter), so processor handlers rethrow it unchanged.
 */
@Catch()
export class RethrowRpcExceptions implements RpcExceptionFilter {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}

/**
 * Declares a projector: `@EventPattern(pattern, { crmProcessor: { role: 'projector', … } })` plus a filter that
 * hands the handler's errors to the processor unchanged. The pattern is the
 * processor's name and, unless `topics` or `topicPattern` say otherwise, its topic. The method gets
 * `(@Payload() events: ProcessedEvent[], @Ctx() ctx: ProcessorContext)` and writes only through `ctx.tx`.
 */
export function Projector(pattern: string, declaration: Declaration<ProjectorDeclaration>): MethodDecorator {
  return applyDecorators(
    EventPattern<string>(pattern, { [PROCESSOR_EXTRAS]: { role: 'projector', declaration } satisfies ProcessorExtras }),
    UseFilters(new RethrowRpcExceptions()),
  );
}

/** Declares a reactor (side effects, idempotent by event id); same shape as `@Projector`, without a transaction. */
export function Reactor(pattern: string, declaration: Declaration<ReactorDeclaration>): MethodDecorator {
  return applyDecorators(
    EventPattern<string>(pattern, { [PROCESSOR_EXTRAS]: { role: 'reactor', declaration } satisfies ProcessorExtras }),
    UseFilters(new RethrowRpcExceptions()),
  );
}
