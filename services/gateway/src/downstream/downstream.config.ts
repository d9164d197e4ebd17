import { PLATFORM_SERVICES, serviceUrls, type PlatformService } from '@crm/http';

/**
 * The services behind the gateway and where they listen (the gateway never imports them, it calls them): one
 * address per service, `CRM_<NAME>_URL` or loopback at `CRM_<NAME>_PORT` (what the launcher starts it on), the same
 * as any service calling another finds it (`@crm/http`'s `serviceUrl`).
 */
export const DOWNSTREAM_SERVICES = PLATFORM_SERVICES;

export type DownstreamService = PlatformService;

export function loadDownstreamUrls(env: NodeJS.ProcessEnv = process.env): Record<DownstreamService, string> {
  return serviceUrls(env);
}
