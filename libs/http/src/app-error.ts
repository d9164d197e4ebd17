/**
 * What kind of failure an error is. The HTTP status is derived from the kind in exactly one place
 * (`HTTP_STATUS_BY_KIND`), so a domain error never picks its own status code.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'gone'
  | 'conflict'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

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

export interface AppErrorOptions {
  /** Safe, PII-free details for the client (field names, limits), never values the user sent. */
  details?: Record<string, unknown>;
  /** Whether repeating the same operation may succeed (a timeout, a version conflict); never true for bad input. */
  retriable?: boolean;
  cause?: unknown;
}

/**
 * An expected failure with a stable, documented code (`CONTACT_NOT_FOUND`). The message is written for
 * developers and must not contain personal data: it is returned to clients and may be logged.
 */
export class AppError extends Error {
  readonly details: Record<string, unknown> | undefined;
  readonly retriable: boolean;

  constructor(
    readonly code: string,
    readonly kind: ErrorKind,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.details = options.details;
    this.retriable = options.retriable ?? false;
  }
}
