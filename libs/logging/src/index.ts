export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export { NestPinoLogger } from './nest-logger.js';
export { redactPaths, REDACTED } from './redaction.js';
export { safeError, type SafeError } from './safe-error.js';
