import type { ErrorKind } from '@crm/errors';

// AppError and ErrorKind live in @crm/errors (no dependencies), so domain code can throw them without loading
// NestJS; they are re-exported from this package's index for HTTP code. Only the HTTP mapping lives here.
export { AppError, type AppErrorOptions, type ErrorKind } from '@crm/errors';

/** The HTTP status of each kind of error: the one place where a domain error becomes a status code. */
export const HTTP_STATUS_BY_KIND: Readonly<Record<ErrorKind, number>> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  gone: 410,
  conflict: 409,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};
