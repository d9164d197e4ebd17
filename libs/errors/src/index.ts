// Errors and their stable codes, with no dependency at all: domain code (deciders, Merkle proofs, TOTP, schema
// validation) throws these without loading a web framework. The HTTP status of each kind is decided in @crm/http
// (`HTTP_STATUS_BY_KIND`), the one place that knows about HTTP.

/**
 * What kind of failure an error is. The HTTP status is derived from the kind in exactly one place
 * (`HTTP_STATUS_BY_KIND` in @crm/http), so a domain error never picks its own status code.
 */
export type ErrorKind = 'invalid' | 'unauthenticated' | 'forbidden' | 'not_found' | 'gone' | 'conflict' | 'rate_limited' | 'unavailable' | 'internal';

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

/** What a code means, fixed once per code in its module's table, never chosen at the throw site. */
export interface ErrorSpec {
  readonly kind: ErrorKind;
  readonly retriable: boolean;
}

/** A module's error codes: `{ MERKLE_PROOF_INVALID: { kind: 'invalid', retriable: false }, … }`. */
export type ErrorTable = Readonly<Record<string, ErrorSpec>>;

/** Retriability comes from the table, so a throw site can add details and a cause but never override it. */
export type ErrorFactoryOptions = Omit<AppErrorOptions, 'retriable'>;

export interface ErrorFactory<Code extends string> {
  /** An `AppError` with `code` and the kind and retriability its table fixes for it. */
  (code: Code, message: string, options?: ErrorFactoryOptions): AppError;
  /** Whether `error` is an `AppError` with one of this table's codes (exactly `code`, when given). */
  is(error: unknown, code?: Code): error is AppError;
}

/**
 * The one style of module errors: a table of codes, and the factory it yields.
 *
 * ```ts
 * export const MERKLE_ERRORS = { MERKLE_PROOF_INVALID: { kind: 'invalid', retriable: false } } as const satisfies ErrorTable;
 * export const merkleError = defineErrors(MERKLE_ERRORS);
 * throw merkleError('MERKLE_PROOF_INVALID', 'the proof does not verify');
 * ```
 */
export function defineErrors<const Table extends ErrorTable>(table: Table): ErrorFactory<keyof Table & string> {
  type Code = keyof Table & string;
  const known = (code: string): code is Code => Object.hasOwn(table, code);
  const factory = (code: Code, message: string, options: ErrorFactoryOptions = {}): AppError => {
    if (!known(code)) throw new TypeError(`${code} is not a code of this error table`);
    const { kind, retriable } = table[code]!;
    return new AppError(code, kind, message, { ...options, retriable });
  };
  const is = (error: unknown, code?: Code): error is AppError => error instanceof AppError && known(error.code) && (code === undefined || error.code === code);
  return Object.assign(factory, { is });
}
