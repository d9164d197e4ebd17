import { join } from 'node:path';
import { ConfigError } from './config.errors.js';
import { secretFrom, type Env } from './load-config.js';
import type { Secret } from './secret.js';

const MIN_LENGTH = 32;

/**
 * The secret by which a service knows a request came through the gateway, and so believes the client address the
 * gateway forwards (`X-Forwarded-For`). Services listen on loopback, where any local process could otherwise call
 * them with an address of its choosing and dodge the per-address budgets. `CRM_GATEWAY_FORWARDING_SECRET` or `…_FILE`
 * (default `<state dir>/secrets/gateway-forwarding.secret`, made by `npm start`); at least 32 characters.
 */
export function loadGatewayForwardingSecret(env: Env = process.env): Secret {
  const defaultFile = env.CRM_STATE_DIR === undefined ? undefined : join(env.CRM_STATE_DIR, 'secrets', 'gateway-forwarding.secret');
  const secret = secretFrom(env, 'CRM_GATEWAY_FORWARDING_SECRET', defaultFile);
  if (secret === undefined || secret.reveal().length < MIN_LENGTH) {
    throw new ConfigError([`CRM_GATEWAY_FORWARDING_SECRET: required, at least ${MIN_LENGTH} characters`]);
  }
  return secret;
}
