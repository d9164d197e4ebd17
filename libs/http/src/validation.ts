import type { z } from 'zod';
import { AppError } from './app-error.js';

/**
 * Validates a request body or query against a zod schema. The error names the offending fields and rules, never
 * their values (a password or an e-mail typed into the wrong field must not be echoed back or logged).
 */
export function validate<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => ({ field: issue.path.join('.') || '(body)', rule: issue.code }));
  throw new AppError('REQUEST_INVALID', 'invalid', 'the request does not match the expected shape', { details: { fields } });
}
