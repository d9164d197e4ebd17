import { AppError, isTransientFailure } from '@crm/http';

/**
 * Only failures that can go away by themselves are retried (`isTransientFailure`: lost connections, serialization
 * failures, deadlocks, a server shutting down), and errors that say so. A bug or a bad event fails the same way every
 * time, so retrying it only blocks the partition: it goes to the dead-letter topic instead.
 */
export function isRetriable(error: unknown): boolean {
  if (error instanceof AppError) return error.retriable;
  return isTransientFailure(error);
}

/** Exponential backoff with full jitter (AWS architecture blog), capped, so retrying consumers do not stampede. */
export function backoffMs(attempt: number, random: () => number = Math.random, baseMs = 100, capMs = 10_000): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

/** A stable code for a failure, safe to put in a dead letter: never the error message. */
export function errorCode(error: unknown): string {
  if (error instanceof AppError) return error.code;
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]{2,64}$/.test(code)) return code;
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string' && /^[A-Za-z]{2,64}$/.test(name)) return `UNHANDLED_${name.toUpperCase()}`;
  }
  return 'UNHANDLED_ERROR';
}
