import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const CORRELATION_HEADER = 'x-correlation-id';
const VALID_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export interface CorrelatedRequest extends IncomingMessage {
  correlationId?: string;
}

/**
 * Takes the caller's correlation id when it is well-formed (so a trace spans gateway and services), otherwise
 * mints one; a malformed header is replaced rather than echoed, so it cannot inject into logs.
 */
export function correlationId(request: CorrelatedRequest): string {
  if (request.correlationId !== undefined) return request.correlationId;
  const header = request.headers[CORRELATION_HEADER];
  const candidate = Array.isArray(header) ? header[0] : header;
  request.correlationId = candidate !== undefined && VALID_ID.test(candidate) ? candidate : randomUUID();
  return request.correlationId;
}

export function correlationMiddleware(request: CorrelatedRequest, response: ServerResponse, next: () => void): void {
  response.setHeader(CORRELATION_HEADER, correlationId(request));
  next();
}
