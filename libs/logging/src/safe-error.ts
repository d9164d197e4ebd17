/**
 * Error serializer for logs. Messages of errors we did not write can carry personal data (a driver quoting a
 * duplicate e-mail in `detail`, a parser quoting its input), so only PII-free parts are kept: the class, stable
 * codes, database object names, and the stack frames without the message line. Errors that declare their
 * messages safe (`AppError` codes, configuration problems) keep them.
 */
const SAFE_MESSAGE_ERRORS = new Set(['AppError', 'ConfigError']);
const SAFE_FIELDS = ['code', 'errno', 'syscall', 'constraint', 'table', 'column', 'schema', 'routine', 'kind', 'retriable', 'apiId', 'apiCode'] as const;

const MAX_AGGREGATED = 5;

export interface SafeError {
  type: string;
  message?: string;
  stack?: string;
  cause?: SafeError;
  /** An AggregateError's first errors (a Kafka client reports its failures so). */
  errors?: SafeError[];
  [field: string]: unknown;
}

export function safeError(error: unknown, depth = 0): SafeError {
  if (typeof error !== 'object' || error === null) return { type: typeof error };
  const record = error as Record<string, unknown>;
  const type = typeof record.name === 'string' ? record.name : (error.constructor?.name ?? 'Error');
  const safe: SafeError = { type };
  if (SAFE_MESSAGE_ERRORS.has(type) && typeof record.message === 'string') safe.message = record.message;
  for (const field of SAFE_FIELDS) {
    const value = record[field];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') safe[field] = value;
  }
  if (typeof record.stack === 'string') {
    safe.stack = record.stack
      .split('\n')
      .filter((line) => line.trimStart().startsWith('at '))
      .join('\n');
  }
  if (record.cause !== undefined && depth < 3) safe.cause = safeError(record.cause, depth + 1);
  if (Array.isArray(record.errors) && record.errors.length > 0 && depth < 3) {
    safe.errors = record.errors.slice(0, MAX_AGGREGATED).map((inner: unknown) => safeError(inner, depth + 1));
  }
  return safe;
}
