import type { Request, Response } from 'express';
import { AppError, CORRELATION_HEADER, correlationId } from '@crm/http';

/** Request headers a downstream service may see; everything else (cookies, proxies' own headers) stays here. */
const FORWARDED_HEADERS = ['authorization', 'content-type', 'accept', 'if-match'];
/** Response headers passed back to the client. */
const RETURNED_HEADERS = ['content-type', 'cache-control', 'retry-after', 'etag', 'content-disposition', 'x-export-id', 'x-export-row-count'];
const TIMEOUT_MS = 15_000;

/**
 * Relays one request to a service after the gateway's own guard has allowed it. The service checks the token again
 * (defence in depth) and answers with the platform's error shape, which is passed through unchanged.
 */
export async function forward(baseUrl: string, request: Request, response: Response): Promise<void> {
  const headers: Record<string, string> = { [CORRELATION_HEADER]: correlationId(request), 'x-forwarded-for': request.ip ?? request.socket.remoteAddress ?? '' };
  for (const name of FORWARDED_HEADERS) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  let upstream: globalThis.Response;
  try {
    upstream = await fetch(new URL(request.originalUrl, baseUrl), {
      method: request.method,
      headers,
      ...(hasBody ? { body: JSON.stringify(request.body ?? {}) } : {}),
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: 'manual',
    });
  } catch (error) {
    throw new AppError('DOWNSTREAM_UNAVAILABLE', 'unavailable', 'a service behind the gateway did not answer', { retriable: true, cause: error });
  }
  response.status(upstream.status);
  for (const name of RETURNED_HEADERS) {
    const value = upstream.headers.get(name);
    if (value !== null) response.setHeader(name, value);
  }
  response.send(Buffer.from(await upstream.arrayBuffer()));
}
