/**
 * Failures that can go away by themselves: a lost or refused connection, a server shutting down or out of resources
 * (SQLSTATE classes 08, 53, 57), a serialization failure or deadlock (40001, 40P01), a lock not available (55P03).
 * A bug or bad input fails the same way every time: it is none of these.
 */
const TRANSIENT_SQLSTATE_CLASSES = ['08', '53', '57'];
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '55P03']);
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);
/**
 * The Postgres client's own errors for a connection the server dropped under a query: they carry no code, only these
 * fixed messages (node-postgres `Client`), which quote nothing of the query.
 */
const LOST_CONNECTION = /^(Connection terminated|Client has encountered a connection error and is not queryable)/;

export function isTransientFailure(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return error instanceof Error && LOST_CONNECTION.test(error.message);
  if (TRANSIENT_NODE_CODES.has(code) || TRANSIENT_SQLSTATES.has(code)) return true;
  return code.length === 5 && TRANSIENT_SQLSTATE_CLASSES.includes(code.slice(0, 2));
}
