export { AppError, HTTP_STATUS_BY_KIND, type ErrorKind, type AppErrorOptions } from './app-error.js';
export { Public, IS_PUBLIC } from './public.decorator.js';
export { CORRELATION_HEADER, correlationId, correlationMiddleware, type CorrelatedRequest } from './correlation.js';
export { ErrorFilter, type ErrorBody } from './error.filter.js';
export { isTransientFailure } from './transient-failure.js';
export { RequireAnyPermission, RequirePermissions, REQUIRED_ANY_PERMISSION, REQUIRED_PERMISSIONS } from './require-permissions.decorator.js';
export { validate } from './validation.js';
export { csvCell, writeCsv } from './csv.js';
export { forwardedClientAddress, GATEWAY_PROOF_HEADER } from './forwarded-client.js';
export {
  bearerToken,
  PLATFORM_SERVICES,
  ServiceClient,
  serviceUrl,
  serviceUrls,
  type PlatformService,
  type ServiceAnswer,
  type ServiceCall,
  type ServiceClientOptions,
} from './service-client.js';
