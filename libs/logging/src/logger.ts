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
    options.destination ?? pino.destination({ sync: false }),
  );
}
