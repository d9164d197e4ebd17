import { secretFrom, type PlatformConfig, type PostgresSettings } from '@crm/config';

/**
 * The credentials restores and drills use on a restored copy (and, in a drill, to compare it with the live event
 * stores): every database of the cluster, so the administrator role's (`CRM_PG_ADMIN_USER`, `CRM_PG_ADMIN_PASSWORD`
 * or `…_FILE`, which tools/platform.ts gives the backup service only). Without them, the service's own settings (the
 * restore CLI runs with the administrator's, from infra.env).
 */
export function restoreCredentials(config: PlatformConfig, env: NodeJS.ProcessEnv = process.env): PostgresSettings {
  const own = config.postgres!;
  return {
    ...own,
    user: env.CRM_PG_ADMIN_USER ?? own.user,
    password: secretFrom(env, 'CRM_PG_ADMIN_PASSWORD') ?? own.password,
  };
}
