import { isIP } from 'node:net';
import { z } from 'zod';
import { loadConfig, type Env } from '@crm/config';

/** Express's names for address ranges (proxy-addr), usable in the trusted-proxy list. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrRange(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d+$/.test(prefix) && bits >= 0 && bits <= (family === 4 ? 32 : 128);
}

export interface GatewayConfig {
  /**
   * Proxies in front of the gateway whose `X-Forwarded-For` / `X-Forwarded-Proto` are believed. Empty (the
   * default): the socket's peer is the client, so a caller cannot pick its own address and dodge the per-address
   * budget; behind a load balancer, list it, or every client shares the balancer's budget.
   */
  trustedProxies: string[];
  /** How long a service may take to answer before the caller gets 503 DOWNSTREAM_UNAVAILABLE. */
  upstreamTimeoutMs: number;
}

export function loadGatewayConfig(env: Env = process.env): GatewayConfig {
  const parsed = loadConfig(
    z.object({
      CRM_GATEWAY_TRUSTED_PROXIES: z
        .string()
        .default('')
        .transform((value) =>
          value
            .split(',')
            .map((entry) => entry.trim())
            .filter((entry) => entry !== ''),
        )
        .refine((entries) => entries.every(isAddressOrRange), 'a comma-separated list of IP addresses, CIDR ranges, or loopback|linklocal|uniquelocal'),
      CRM_GATEWAY_UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(15_000),
    }),
    env,
  );
  return { trustedProxies: parsed.CRM_GATEWAY_TRUSTED_PROXIES, upstreamTimeoutMs: parsed.CRM_GATEWAY_UPSTREAM_TIMEOUT_MS };
}
