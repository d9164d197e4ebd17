import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { AppError, HTTP_STATUS_BY_KIND } from './app-error.js';
import { correlationId, type CorrelatedRequest } from './correlation.js';
import { isTransientFailure } from './transient-failure.js';

export interface ErrorBody {
  code: string;
  message: string;
  correlationId: string;
  details?: Record<string, unknown>;
}

const STORE_UNAVAILABLE = 'STORE_UNAVAILABLE';

/** Framework exceptions (unknown route, malformed JSON, validation) get stable codes too. */
const CODE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'REQUEST_INVALID',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'ROUTE_NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

/**
 * Every error leaves as `{ code, message, correlationId }` JSON: no stack trace, no echo of the input.
 * Unexpected errors are logged with their stack (server side only) and answered with a generic 500; a store that is
 * down (`isTransientFailure`) with 503 `STORE_UNAVAILABLE` and `Retry-After`.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<CorrelatedRequest>();
    const response = http.getResponse<Response>();
    const id = correlationId(request);
    const { status, body } = this.toBody(exception, id);
    if (status >= 500) this.logger.error({ err: exception, correlationId: id, code: body.code }, 'request failed');
    if (response.headersSent) return;
    if (body.code === STORE_UNAVAILABLE) response.setHeader('retry-after', '1');
    response.status(status).json(body);
  }

  private toBody(exception: unknown, id: string): { status: number; body: ErrorBody } {
    if (exception instanceof AppError) {
      const body: ErrorBody = { code: exception.code, message: exception.message, correlationId: id };
      if (exception.details !== undefined) body.details = exception.details;
      return { status: HTTP_STATUS_BY_KIND[exception.kind], body };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = CODE_BY_STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'REQUEST_FAILED');
      // Nest's own messages ("Cannot GET /x", "Unexpected token … in JSON") can quote the request; keep them generic.
      return { status, body: { code, message: genericMessage(status), correlationId: id } };
    }
    // A store the service needs is down or restarting (Postgres, Redis, a broker): the client may retry, and should.
    if (isTransientFailure(exception))
      return { status: 503, body: { code: STORE_UNAVAILABLE, message: 'a store this service needs is unavailable; retry shortly', correlationId: id } };
    return { status: 500, body: { code: 'INTERNAL', message: 'internal error', correlationId: id } };
  }
}

function genericMessage(status: number): string {
  if (status === 404) return 'no such route';
  if (status === 400) return 'the request is malformed';
  if (status === 413) return 'the request body is too large';
  return 'request failed';
}
