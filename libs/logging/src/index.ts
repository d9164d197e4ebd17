export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export { NestPinoLogger } from './nest-logger.js';
export { redactPaths, REDACTED } from './redaction.js';
