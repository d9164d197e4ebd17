import { z } from 'zod';
import { loadConfig, type Env } from '@crm/config';

/** The services behind the gateway and where they listen (the gateway never imports them, it calls them). */
export const DOWNSTREAM_SERVICES = {
  identity: 8081,
  contacts: 8082,
  consent: 8083,
  audit: 8084,
  backup: 8085,
} as const;

export type DownstreamService = keyof typeof DOWNSTREAM_SERVICES;

export function loadDownstreamUrls(env: Env = process.env): Record<DownstreamService, string> {
  const entries = Object.entries(DOWNSTREAM_SERVICES).map(([name, port]) => {
    const variable = `CRM_${name.toUpperCase()}_URL`;
    const schema = z.object({ [variable]: z.url().default(`http://127.0.0.1:${port}`) });
    return [name, loadConfig(schema, env)[variable] as string];
  });
  return Object.fromEntries(entries) as Record<DownstreamService, string>;
}
