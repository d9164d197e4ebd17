import { pino, type DestinationStream, type Logger } from 'pino';
import { REDACTED, redactPaths } from './redaction.js';
import { safeError } from './safe-error.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  service: string;
  level: string;
  /** Where lines go; stdout by default (the launcher captures it into the state directory's logs). */
  destination?: DestinationStream;
}

/** Structured JSON logs: one object per line, the service name on each, sensitive keys redacted. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactPaths, censor: REDACTED },
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: safeError, error: safeError },
    },
    options.destination ?? bufferedStdout(),
  );
}

/**
 * Stdout, written in blocks of at least 4 KiB rather than a write per line (a write is a system call, and on these
 * machines a costly one: one per request line was ~0.3 ms of a service's CPU per request). Lines wait at most
 * 250 ms, and whatever is buffered is written synchronously when the process exits.
 */
function bufferedStdout(): DestinationStream {
  const destination = pino.destination({ sync: false, minLength: 4096 });
  setInterval(() => destination.flush(), 250).unref();
  process.once('exit', () => {
    try {
      destination.flushSync();
    } catch {
      // Still opening or mid-write: nothing more can be done at exit.
    }
  });
  return destination;
}
