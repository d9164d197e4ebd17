// The environment tools/platform.ts starts one service with: the launcher's own environment (infra.env: hosts,
// ports, brokers) minus every secret that service does not need, plus its own Postgres role (docs/security.md).
// infra.env names the administrator's Postgres password (CRM_PG_PASSWORD_FILE, for migrations and tests); no
// service gets it, except the backup service, whose restore drills read every database of a restored copy.
import { join } from 'node:path';

/** A variable that carries a secret or names a file holding one. */
const SECRET_VARIABLE = /(PASSWORD|SECRET|_KEY|CIPHER)(_FILE)?$/;

/** Each service's secret variables (without `_FILE`; both forms pass). Redis: every service uses it. */
const SECRETS_OF: Readonly<Record<string, readonly string[]>> = {
  identity: ['CRM_REDIS_PASSWORD', 'CRM_ADMIN_PASSWORD', 'CRM_LOGIN_THROTTLE_SECRET', 'CRM_GATEWAY_FORWARDING_SECRET'],
  contacts: ['CRM_REDIS_PASSWORD', 'CRM_ANALYTICS_KEY'],
  consent: ['CRM_REDIS_PASSWORD'],
  audit: ['CRM_REDIS_PASSWORD'],
  backup: ['CRM_REDIS_PASSWORD'],
  gateway: ['CRM_REDIS_PASSWORD', 'CRM_GATEWAY_RATE_LIMIT_SECRET', 'CRM_GATEWAY_FORWARDING_SECRET'],
};

/** The services with a database, each logging in as `crm_<service>` (libs/config/src/postgres-roles.ts). */
const WITH_DATABASE = new Set(['identity', 'contacts', 'consent', 'audit', 'backup']);

/** Variables that pick a Postgres identity: the launcher's (the administrator's) never reach a service. */
const POSTGRES_IDENTITY = ['CRM_PG_USER', 'CRM_PG_PASSWORD', 'CRM_PG_PASSWORD_FILE', 'CRM_PG_DATABASE', 'CRM_PG_ADMIN_USER'];

export function serviceEnvironment(service: string, env: NodeJS.ProcessEnv, stateDir: string): NodeJS.ProcessEnv {
  const allowed = new Set((SECRETS_OF[service] ?? []).flatMap((name) => [name, `${name}_FILE`]));
  const result: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (POSTGRES_IDENTITY.includes(name)) continue;
    if (SECRET_VARIABLE.test(name) && !allowed.has(name)) continue;
    result[name] = value;
  }
  result.CRM_STATE_DIR = stateDir;
  if (WITH_DATABASE.has(service)) {
    const role = `crm_${service}`;
    result.CRM_PG_USER = role;
    result.CRM_PG_PASSWORD_FILE = join(stateDir, 'secrets', `postgres-${role}.password`);
  }
  if (service === 'backup') {
    // Restores and drills read every database of the restored copy and compare with the live event stores.
    result.CRM_PG_ADMIN_USER = env.CRM_PG_USER ?? 'crm';
    result.CRM_PG_ADMIN_PASSWORD_FILE = env.CRM_PG_PASSWORD_FILE ?? join(stateDir, 'secrets', 'postgres-crm.password');
  }
  return result;
}
