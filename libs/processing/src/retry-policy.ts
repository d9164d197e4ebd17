import { AppError } from '@crm/http';

/**
 * Only failures that can go away by themselves are retried: lost connections, serialization failures, deadlocks,
 * a server shutting down, errors that say so. A bug or a bad event fails the same way every time, so retrying it
 * only blocks the partition: it goes to the dead-letter topic instead.
 */
const RETRIABLE_SQLSTATE_CLASSES = ['08', '53', '57'];
const RETRIABLE_SQLSTATES = new Set(['40001', '40P01', '55P03']);
const RETRIABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

export function isRetriable(error: unknown): boolean {
  if (error instanceof AppError) return error.retriable;
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return false;
  if (RETRIABLE_NODE_CODES.has(code) || RETRIABLE_SQLSTATES.has(code)) return true;
  return code.length === 5 && RETRIABLE_SQLSTATE_CLASSES.includes(code.slice(0, 2));
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
