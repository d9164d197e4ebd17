import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ConfigError, loadPlatformConfig, Secret } from './index.js';

const stateDir = mkdtempSync(join(tmpdir(), 'crm-config-'));
mkdirSync(join(stateDir, 'secrets'));
writeFileSync(join(stateDir, 'secrets', 'redis.password'), 'redis-pass');

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
    const config = loadPlatformConfig({ service: 'gateway', defaultPort: 8080, postgres: false }, { CRM_STATE_DIR: stateDir });

    expect(config.port).toBe(8080);
    expect(config.postgres).toBeUndefined();
    expect(config.redis.port).toBe(56379);
    expect(config.kafka.primaryBrokers).toEqual(['127.0.0.1:9092']);
    expect(config.kafka.backupBrokers).toEqual(['127.0.0.1:19092']);
  });

  it('given invalid values, when loaded, then every problem names its variable and none echoes the value', () => {
    const load = () =>
      loadPlatformConfig(
        { service: 'gateway', defaultPort: 8080, postgres: false },
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
      loadPlatformConfig({ service: 'gateway', defaultPort: 8080, postgres: false }, { CRM_STATE_DIR: stateDir, CRM_GATEWAY_PORT: 'hunter2' }),
    ).toThrow(/CRM_GATEWAY_PORT/);
  });

  it('given a database service whose password file is missing, when loaded, then it fails naming the file variable', () => {
    expect(() => loadPlatformConfig({ service: 'audit', defaultPort: 8084 }, { CRM_STATE_DIR: join(stateDir, 'nowhere') })).toThrow(
      /CRM_PG_PASSWORD_FILE: cannot read .*\(ENOENT\)/,
    );
  });

  it('a Secret is masked in every rendering', () => {
    const secret = new Secret('value');
    expect([String(secret), JSON.stringify({ secret }), inspect(secret)]).toEqual(['***', '{"secret":"***"}', '***']);
  });
});
