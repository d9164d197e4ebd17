import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { createProxyMiddleware, type RequestHandler } from 'http-proxy-middleware';
import type { Secret } from '@crm/config';
import { AppError, CORRELATION_HEADER, correlationId, GATEWAY_PROOF_HEADER, HTTP_STATUS_BY_KIND, type ErrorBody } from '@crm/http';
import type { DownstreamService } from '../downstream/downstream.config.js';
import type { GatewayRoute } from '../routes/route.manifest.js';
import { downstreamPath, inspectRequestTarget } from './request-target.js';

/**
 * Request headers a service may see. Everything else stays at the edge: cookies, the caller's own forwarding
 * headers (the gateway states the client address itself), and every hop-by-hop header (RFC 9110 §7.6.1:
 * Connection and what it names, Keep-Alive, TE, Upgrade, Proxy-*), which describe the caller's connection, not ours.
 * Content-Length / Transfer-Encoding frame the streamed body and are kept as the caller sent them.
 */
const REQUEST_HEADERS = new Set([
  'host',
  'content-type',
  'content-length',
  'transfer-encoding',
  'accept',
  'accept-language',
  'authorization',
  'if-match',
  'if-none-match',
]);

/** Response headers passed back; a service's CSP (HTML reports) replaces the gateway's default one. */
const RESPONSE_HEADERS = new Set([
  'content-type',
  'content-length',
  'transfer-encoding',
  'cache-control',
  'retry-after',
  'etag',
  'content-disposition',
  'content-security-policy',
  'x-export-id',
  'x-export-row-count',
]);

export interface ForwarderOptions {
  /** The fixed origin of each service; nothing a caller sends can choose another. */
  origins: Readonly<Record<DownstreamService, string>>;
  /** How long a service may take to answer. */
  timeoutMs: number;
  /** Sent to the services (`x-crm-gateway-proof`): they believe the forwarded client address only with it. */
  forwardingSecret: Secret;
}

interface ForwardedRequest extends IncomingMessage {
  crmDownstreamPath?: string;
  crmClientAddress?: string;
}

/**
 * Relays a request, after the gateway's own guard allowed it, to the service that owns its route, with
 * `http-proxy-middleware` (docs/decisions/0003-gateway-proxy.md): the body is streamed as received, never parsed
 * or re-serialised; the answer is streamed back. The service checks the token again (defence in depth).
 */
export class Forwarder {
  readonly #proxies: Record<DownstreamService, RequestHandler>;
  readonly #logger = new Logger('Forwarder');
  readonly #forwardingSecret: Secret;

  constructor(options: ForwarderOptions) {
    this.#forwardingSecret = options.forwardingSecret;
    const entries = Object.entries(options.origins).map(([service, origin]) => [service, this.#proxy(service, new URL(origin).origin, options.timeoutMs)]);
    this.#proxies = Object.fromEntries(entries) as Record<DownstreamService, RequestHandler>;
  }

  forward(route: GatewayRoute, request: Request, response: Response): Promise<void> {
    const inspection = inspectRequestTarget(request.url);
    // The request-target middleware refused these already; this is the same rule, not a second opinion.
    if (!inspection.ok)
      throw new AppError('REQUEST_TARGET_INVALID', 'invalid', 'the request target is not an origin-form path of this API', {
        details: { reason: inspection.reason },
      });
    const forwarded = request as unknown as ForwardedRequest;
    forwarded.crmDownstreamPath = downstreamPath(route.path, request.params, inspection.query);
    forwarded.crmClientAddress = request.ip ?? request.socket.remoteAddress ?? '';
    const proxy = this.#proxies[route.service];
    return new Promise<void>((resolve) => {
      // Failures are answered by the `error` listener below; `next` only tells that proxying ended.
      void proxy(request, response, () => resolve()).then(() => resolve());
    });
  }

  #proxy(service: string, origin: string, timeoutMs: number): RequestHandler {
    return createProxyMiddleware<IncomingMessage, ServerResponse>({
      target: origin,
      changeOrigin: true,
      xfwd: false,
      // Only the service's answer is timed here; a slow caller is the HTTP server's business (requestTimeout).
      proxyTimeout: timeoutMs,
      followRedirects: false,
      // The path is the route's template with re-encoded parameters, never the caller's text (see request-target.ts).
      pathRewrite: (_path, request) => (request as ForwardedRequest).crmDownstreamPath,
      // No default plugins: the stock error page echoes the request URL, the stock logger logs it.
      ejectPlugins: true,
      plugins: [
        (proxyServer) => {
          proxyServer.on('proxyReq', (proxyRequest: ClientRequest, request: IncomingMessage) => {
            for (const name of proxyRequest.getHeaderNames()) if (!REQUEST_HEADERS.has(name)) proxyRequest.removeHeader(name);
            proxyRequest.setHeader(CORRELATION_HEADER, correlationId(request));
            proxyRequest.setHeader('x-forwarded-for', (request as ForwardedRequest).crmClientAddress ?? '');
            proxyRequest.setHeader(GATEWAY_PROOF_HEADER, this.#forwardingSecret.reveal());
          });
          proxyServer.on('proxyRes', (proxyResponse: IncomingMessage) => {
            for (const name of Object.keys(proxyResponse.headers)) if (!RESPONSE_HEADERS.has(name)) delete proxyResponse.headers[name];
            const policy = proxyResponse.headers['content-security-policy'];
            if (typeof policy === 'string' && !/frame-ancestors/i.test(policy))
              proxyResponse.headers['content-security-policy'] = `${policy}; frame-ancestors 'none'`;
          });
          proxyServer.on('error', (error: Error, request?: IncomingMessage, response?: ServerResponse | Socket) => {
            this.#logger.warn(`${service} did not answer (${(error as NodeJS.ErrnoException).code ?? error.name})`);
            if (request === undefined || response === undefined) return;
            if (!('setHeader' in response)) return void response.destroy();
            if (response.headersSent) return void response.destroy();
            const failure = new AppError('DOWNSTREAM_UNAVAILABLE', 'unavailable', 'a service behind the gateway did not answer', {
              retriable: true,
              details: { service },
            });
            const body: ErrorBody = { code: failure.code, message: failure.message, correlationId: correlationId(request), details: failure.details };
            response.statusCode = HTTP_STATUS_BY_KIND[failure.kind];
            response.setHeader('content-type', 'application/json; charset=utf-8');
            response.setHeader('retry-after', '1');
            response.end(JSON.stringify(body));
          });
        },
      ],
    });
  }
}
