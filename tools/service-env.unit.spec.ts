import { serviceEnvironment } from './service-env.ts';

const launcher = {
  PATH: '/usr/bin',
  CRM_PG_HOST: '127.0.0.1',
  CRM_PG_PORT: '55432',
  CRM_PG_USER: 'crm',
  CRM_PG_PASSWORD_FILE: '/state/secrets/postgres-crm.password',
  CRM_REDIS_PASSWORD_FILE: '/state/secrets/redis.password',
  CRM_ADMIN_PASSWORD_FILE: '/state/secrets/admin.password',
  CRM_LOGIN_THROTTLE_SECRET: 'throttle-key',
  CRM_GATEWAY_RATE_LIMIT_SECRET_FILE: '/state/secrets/gateway-rate-limit.secret',
  CRM_GATEWAY_FORWARDING_SECRET_FILE: '/state/secrets/gateway-forwarding.secret',
  CRM_KAFKA_PRIMARY_BROKERS: '127.0.0.1:9092',
  CRM_ANALYTICS_KEY_FILE: '/state/secrets/analytics.key',
};

describe('the environment a service is started with', () => {
  it('given the launcher’s environment, when identity starts, then it gets its own role and password file, never the administrator’s', () => {
    const env = serviceEnvironment('identity', launcher, '/state');

    expect(env.CRM_PG_USER).toBe('crm_identity');
    expect(env.CRM_PG_PASSWORD_FILE).toBe('/state/secrets/postgres-crm_identity.password');
    expect(Object.values(env)).not.toContain('/state/secrets/postgres-crm.password');
    expect(env.CRM_ADMIN_PASSWORD_FILE).toBe('/state/secrets/admin.password');
    expect(env.CRM_LOGIN_THROTTLE_SECRET).toBe('throttle-key');
    expect(env.CRM_GATEWAY_RATE_LIMIT_SECRET_FILE).toBeUndefined();
  });

  it('given the launcher’s environment, when the gateway starts, then it gets no Postgres credentials and only its own secrets', () => {
    const env = serviceEnvironment('gateway', launcher, '/state');

    expect(env.CRM_PG_USER).toBeUndefined();
    expect(env.CRM_PG_PASSWORD_FILE).toBeUndefined();
    expect(env.CRM_ADMIN_PASSWORD_FILE).toBeUndefined();
    expect(env.CRM_LOGIN_THROTTLE_SECRET).toBeUndefined();
    expect(env.CRM_GATEWAY_RATE_LIMIT_SECRET_FILE).toBe('/state/secrets/gateway-rate-limit.secret');
    expect(env.CRM_REDIS_PASSWORD_FILE).toBe('/state/secrets/redis.password');
    expect(env.CRM_KAFKA_PRIMARY_BROKERS).toBe('127.0.0.1:9092');
  });

  it('given the launcher’s environment, when audit starts, then it runs as crm_audit (not the audit store’s owner) with no other service’s secrets', () => {
    const env = serviceEnvironment('audit', launcher, '/state');

    expect(env.CRM_PG_USER).toBe('crm_audit');
    expect(env.CRM_PG_PASSWORD_FILE).toBe('/state/secrets/postgres-crm_audit.password');
    expect(Object.keys(env).filter((name) => /SECRET|ADMIN/.test(name))).toEqual([]);
  });

  it('given the launcher’s environment, when backup starts, then it gets the administrator’s credentials apart, for restores and drills only', () => {
    const env = serviceEnvironment('backup', launcher, '/state');

    expect(env.CRM_PG_USER).toBe('crm_backup');
    expect(env.CRM_PG_ADMIN_USER).toBe('crm');
    expect(env.CRM_PG_ADMIN_PASSWORD_FILE).toBe('/state/secrets/postgres-crm.password');
  });

  it('given the launcher’s environment, when contacts starts, then it alone gets the analytics key (the pseudonyms’ HMAC key)', () => {
    expect(serviceEnvironment('contacts', launcher, '/state').CRM_ANALYTICS_KEY_FILE).toBe('/state/secrets/analytics.key');
    for (const service of ['identity', 'consent', 'audit', 'backup', 'gateway']) {
      expect(serviceEnvironment(service, launcher, '/state').CRM_ANALYTICS_KEY_FILE).toBeUndefined();
    }
  });
});
