import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';

const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;

/**
 * Headers on every answer of the gateway (OWASP ASVS 5.0 V3.4), with helmet:
 * - the API answers JSON: `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'` (nothing loads,
 *   nothing frames it); a service's own policy (the printable HTML reports) replaces it, and always keeps
 *   `frame-ancestors 'none'` (see forwarder.ts);
 * - the OpenAPI page at /docs loads its own scripts and styles, from this origin only;
 * - `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, `Cross-Origin-Resource-Policy: same-origin`;
 * - `Strict-Transport-Security` only on requests that came over TLS (directly, or as a trusted proxy says with
 *   `X-Forwarded-Proto`): on plain HTTP a browser ignores it, and sending it there would claim what is not so.
 */
export function securityHeaders(): RequestHandler {
  const api = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    strictTransportSecurity: false,
    referrerPolicy: { policy: 'no-referrer' },
  });
  const docs = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'self'"], imgSrc: ["'self'", 'data:'], styleSrc: ["'self'", "'unsafe-inline'"], frameAncestors: ["'none'"] },
    },
    strictTransportSecurity: false,
    referrerPolicy: { policy: 'no-referrer' },
  });
  const hsts = helmet.strictTransportSecurity({ maxAge: ONE_YEAR_SECONDS, includeSubDomains: true });
  return (request: Request, response: Response, next: NextFunction) => {
    const headers = request.path === '/docs' || request.path.startsWith('/docs/') ? docs : api;
    headers(request, response, (error?: unknown) => {
      if (error !== undefined) return next(error);
      if (request.secure) return hsts(request, response, next);
      next();
    });
  };
}
