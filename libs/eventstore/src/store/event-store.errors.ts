import { AppError } from '@crm/errors';

/** Another writer appended to the stream first. Retriable: reload the stream, decide again, append again. */
export class StreamVersionConflict extends AppError {
  constructor(streamId: string, expected: string, actual: string) {
    super('STREAM_VERSION_CONFLICT', 'conflict', 'the stream was changed concurrently; reload and retry', {
      retriable: true,
      details: { streamId, expectedVersion: expected, actualVersion: actual },
    });
  }
}
