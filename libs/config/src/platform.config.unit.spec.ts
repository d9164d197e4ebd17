import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ConfigError, loadPlatformConfig, Secret } from './index.js';

const stateDir = mkdtempSync(join(tmpdir(), 'crm-config-'));
mkdirSync(join(stateDir, 'secrets'));
writeFileSync(join(stateDir, 'secrets', 'redis.password'), 'redis-pass');
writeFileSync(join(stateDir, 'secrets', 'kafka-contacts.password'), 'contacts-kafka-pass\n');
writeFileSync(join(stateDir, 'secrets', 'kafka-admin.password'), 'admin-kafka-pass\n');

describe('platform configuration', () => {
  it('given a password file, when loaded, then the password is read but never printed', () => {
    const file = join(stateDir, 'pg.password');
    writeFileSync(file, 's3cr3t-value\n');

    const config = loadPlatformConfig({ service: 'contacts', defaultPort: 8082 }, { CRM_STATE_DIR: stateDir, CRM_PG_PASSWORD_FILE: file });

    expect(config.postgres?.password.reveal()).toBe('s3cr3t-value');
    expect(config.postgres?.database).toBe('contacts');
    expect(JSON.stringify(config)).not.toContain('s3cr3t-value');
    expect(inspect(config, { depth: 10 })).not.toContain('s3cr3t-value');
    expect(`${config.postgres?.password}`).toBe('***');
  });

  it('given no overrides, when loaded, then the documented local ports are used', () => {
    const config = loadPlatformConfig({ service: 'gateway', defaultPort: 8080, postgres: false, kafka: false }, { CRM_STATE_DIR: stateDir });

    expect(config.port).toBe(8080);
    expect(config.postgres).toBeUndefined();
    expect(config.redis.port).toBe(56379);
    expect(config.kafka.primaryBrokers).toEqual(['127.0.0.1:9092']);
    expect(config.kafka.backupBrokers).toEqual(['127.0.0.1:19092']);
  });

  it('given invalid values, when loaded, then every problem names its variable and none echoes the value', () => {
    const load = () =>
      loadPlatformConfig(
        { service: 'gateway', defaultPort: 8080, postgres: false, kafka: false },
        { CRM_STATE_DIR: stateDir, CRM_GATEWAY_PORT: 'hunter2', CRM_KAFKA_PRIMARY_BROKERS: 'not a broker', CRM_LOG_LEVEL: 'loud' },
      );

    expect(load).toThrow(ConfigError);
    try {
      load();
    } catch (error) {
      const message = (error as ConfigError).message;
      expect(message).toMatch(/CRM_KAFKA_PRIMARY_BROKERS/);
      expect(message).toMatch(/CRM_LOG_LEVEL/);
      expect(message).not.toContain('hunter2');
      expect(message).not.toContain('not a broker');
    }
    expect(() =>
      loadPlatformConfig({ service: 'gateway', defaultPort: 8080, postgres: false, kafka: false }, { CRM_STATE_DIR: stateDir, CRM_GATEWAY_PORT: 'hunter2' }),
    ).toThrow(/CRM_GATEWAY_PORT/);
  });

  it('given a database service whose password file is missing, when loaded, then it fails naming the file variable', () => {
    expect(() => loadPlatformConfig({ service: 'audit', defaultPort: 8084 }, { CRM_STATE_DIR: join(stateDir, 'nowhere') })).toThrow(
      /CRM_PG_PASSWORD_FILE: cannot read .*\(ENOENT\)/,
    );
  });

  it('given a service, when loaded, then it signs in to the primary Kafka cluster as its own principal, the password from the state dir', () => {
    const config = loadPlatformConfig({ service: 'contacts', defaultPort: 8082, postgres: false }, { CRM_STATE_DIR: stateDir });

    expect(config.kafka.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'contacts', password: expect.any(Secret) });
    expect(config.kafka.sasl?.password.reveal()).toBe('contacts-kafka-pass');
    expect(JSON.stringify(config)).not.toContain('contacts-kafka-pass');
  });

  it('given CRM_KAFKA_USER, when loaded, then that principal and its password file are used; with mechanism none, no credentials', () => {
    const asAdmin = loadPlatformConfig({ service: 'contacts', defaultPort: 8082, postgres: false }, { CRM_STATE_DIR: stateDir, CRM_KAFKA_USER: 'admin' });
    expect(asAdmin.kafka.sasl?.username).toBe('admin');
    expect(asAdmin.kafka.sasl?.password.reveal()).toBe('admin-kafka-pass');

    const plain = loadPlatformConfig({ service: 'audit', defaultPort: 8084, postgres: false }, { CRM_STATE_DIR: stateDir, CRM_KAFKA_SASL_MECHANISM: 'none' });
    expect(plain.kafka.sasl).toBeUndefined();
  });

  it('given a Kafka service whose password file is missing, when loaded, then it fails naming the file variable', () => {
    expect(() => loadPlatformConfig({ service: 'audit', defaultPort: 8084, postgres: false }, { CRM_STATE_DIR: stateDir })).toThrow(
      /CRM_KAFKA_PASSWORD_FILE: cannot read .*kafka-audit\.password \(ENOENT\)/,
    );
  });

  it('a Secret is masked in every rendering', () => {
    const secret = new Secret('value');
    expect([String(secret), JSON.stringify({ secret }), inspect(secret)]).toEqual(['***', '{"secret":"***"}', '***']);
  });
});
