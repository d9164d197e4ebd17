import { AppError } from '@crm/http';
import { isRetriable } from '@crm/processing';

/** What a failed import run does next: leave the job to BullMQ's next attempt, or end the import with a code. */
export type RunFailure = { kind: 'retry' } | { kind: 'fail'; code: string };

/**
 * A transient failure (the platform's retry policy: a lost Postgres connection, a serialization failure, a deadlock,
 * Kafka or Redis unavailable) goes back to BullMQ while the job has attempts left: its backoff runs it again later,
 * and the run resumes from the row ledger. The last attempt ends the import, as does a permanent failure at once
 * (bad input fails the same way every time): by the error's own code where it has one.
 */
export function decideRunFailure(error: unknown, attempt: { final: boolean }): RunFailure {
  if (isRetriable(error) && !attempt.final) return { kind: 'retry' };
  if (error instanceof AppError) return { kind: 'fail', code: error.code };
  return { kind: 'fail', code: isRetriable(error) ? 'IMPORT_UNAVAILABLE' : 'IMPORT_FAILED' };
}
