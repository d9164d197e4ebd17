/** Stable codes, never messages: consumers branch on these, and dead letters record only the code. */
export type ContractErrorCode = 'EVENT_DECODE_FAILED' | 'EVENT_PAYLOAD_TYPE_UNKNOWN' | 'EVENT_PAYLOAD_TYPE_MISMATCH';

/**
 * A message on a topic does not satisfy the contracts. Never retriable: the same bytes fail the same way on every
 * redelivery, so the consumer dead-letters them. The message names types and sizes only, never payload bytes,
 * because a payload may hold (sealed) personal data and error messages end up in logs.
 */
export class ContractError extends Error {
  readonly retriable = false;

  constructor(
    readonly code: ContractErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ContractError';
  }
}
