// docker-compose.yml cannot run here (no Docker engine, docs/decisions/0002-no-testcontainers.md), so this spec holds
// it to the local setup's least privilege by reading it: the Postgres roles and Kafka principals each service gets
// (tools/service-env.ts, libs/config), the shared scripts the one-shot jobs run (deploy/local/*.sh,
// tools/kafka-access.ts), the brokers' security settings and the secrets the `secrets` job writes.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DATABASE_OWNERS, loadPlatformConfig, POSTGRES_ADMIN_ROLE, serviceRole } from '@crm/config';
import { BACKUP_GRANTS, GRANTS } from './kafka-access.ts';
import { serviceEnvironment } from './service-env.ts';

const repo = join(import.meta.dirname, '..');
const local = join(repo, 'deploy', 'local');

interface ComposeService {
  image?: string;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
}

const compose = parse(readFileSync(join(repo, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;
/** The platform's Node services and their ports (tools/platform.ts starts the same six). */
const NODE_SERVICES: Record<string, number> = { gateway: 8080, identity: 8081, contacts: 8082, consent: 8083, audit: 8084, backup: 8085 };
/** Where compose mounts the secrets volume: the secrets directory of the state directory /run/crm, the local layout. */
const STATE = '/run/crm';
const SECRETS = `${STATE}/secrets`;

const script = (service: ComposeService | undefined): string => [service?.entrypoint ?? [], service?.command ?? []].flat().join('\n');
const env = (name: string): Record<string, string> => services[name]?.environment ?? {};
const byScript = (text: string): [string, ComposeService][] => Object.entries(services).filter(([, service]) => script(service).includes(text));
/** Runs a bash snippet after sourcing deploy/local/lib.sh and the given scripts; answers its stdout. */
const bash = (snippet: string, sources: string[], extraEnv: Record<string, string> = {}): string =>
  execFileSync('bash', ['-c', `set -euo pipefail; ${sources.map((file) => `source ${join(local, file)};`).join(' ')} ${snippet}`], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
const principalsOf = (cluster: string): string[] => bash(`kafka_principals ${cluster}`, ['lib.sh', 'kafka.sh']).trim().split('\n');

describe('docker-compose.yml, held to the local least privilege', () => {
  let state: string;
  beforeAll(() => {
    state = mkdtempSync(join(tmpdir(), 'crm-compose-'));
    // What the `secrets` job runs (checked below), into a scratch state directory.
    execFileSync('bash', [join(local, 'infra.sh'), 'secrets'], { env: { PATH: process.env.PATH, CRM_STATE_DIR: state }, stdio: 'ignore' });
  });
  afterAll(() => rmSync(state, { recursive: true, force: true }));
  /** A compose environment with the secrets volume's paths pointed at the scratch state directory. */
  const onDisk = (environment: Record<string, string>): Record<string, string> =>
    Object.fromEntries(Object.entries(environment).map(([name, value]) => [name, value.replaceAll(`${SECRETS}/`, `${join(state, 'secrets')}/`)]));

  it('given every container, when its environment is read, then none but the migrations logs in to Postgres as the administrator and none talks to Kafka without SASL', () => {
    const asAdmin = Object.keys(services).filter((name) => env(name).CRM_PG_USER === POSTGRES_ADMIN_ROLE);
    const withoutSasl = Object.keys(services).filter((name) => /^none$/i.test(env(name).CRM_KAFKA_SASL_MECHANISM ?? ''));

    expect(asAdmin).toEqual(['migrate']);
    expect(withoutSasl).toEqual([]);
  });

  it.each(Object.keys(NODE_SERVICES))(
    'given the %s service, when its Postgres identity is compared with the local launcher’s, then it is the same role and password file (tools/service-env.ts)',
    (name) => {
      // The launcher's environment is the administrator's, as infra.env's locally: in compose, the migrations'.
      const launcher = { CRM_PG_USER: env('migrate').CRM_PG_USER, CRM_PG_PASSWORD_FILE: env('migrate').CRM_PG_PASSWORD_FILE };
      const locally = serviceEnvironment(name, launcher, STATE);
      const pick = (environment: Record<string, string | undefined>) =>
        Object.fromEntries(['CRM_PG_USER', 'CRM_PG_PASSWORD_FILE', 'CRM_PG_ADMIN_USER', 'CRM_PG_ADMIN_PASSWORD_FILE'].map((key) => [key, environment[key]]));

      expect(pick(env(name))).toEqual(pick(locally));
      expect(launcher).toEqual({ CRM_PG_USER: POSTGRES_ADMIN_ROLE, CRM_PG_PASSWORD_FILE: `${SECRETS}/postgres-${POSTGRES_ADMIN_ROLE}.password` });
    },
  );

  it.each(Object.keys(NODE_SERVICES))(
    'given the %s service, when its configuration is loaded from its compose environment, then it signs in to Kafka as its own principal with SCRAM-SHA-512 and its own password file',
    (name) => {
      const config = loadPlatformConfig({ service: name, defaultPort: NODE_SERVICES[name]!, postgres: name !== 'gateway' }, onDisk(env(name)));

      expect(config.kafka.sasl?.username).toBe(name);
      expect(config.kafka.sasl?.mechanism).toBe('scram-sha-512');
      expect(config.kafka.sasl?.password.reveal()).toBe(readFileSync(join(state, 'secrets', `kafka-${name}.password`), 'utf8').trim());
      expect(principalsOf('primary')).toContain(name);
      expect(GRANTS.some((grant) => grant.principal === name)).toBe(true);
      if (name !== 'gateway')
        expect(config.postgres?.password.reveal()).toBe(readFileSync(join(state, 'secrets', `postgres-${serviceRole(name)}.password`), 'utf8').trim());
    },
  );

  it('given the secrets job, when it runs, then it is infra.sh’s own and writes every Postgres role’s and Kafka principal’s password the containers read', () => {
    const job = services.secrets;
    expect(script(job)).toContain('bash deploy/local/infra.sh secrets');
    expect(job?.environment?.CRM_STATE_DIR).toBe(STATE);
    expect(job?.volumes).toContain(`crm-secrets:${SECRETS}`);

    const roles = [
      POSTGRES_ADMIN_ROLE,
      'superuser',
      ...Object.keys(NODE_SERVICES)
        .filter((name) => name !== 'gateway')
        .map(serviceRole),
    ];
    const principals = new Set([...principalsOf('primary'), ...principalsOf('backup'), ...[...GRANTS, ...BACKUP_GRANTS].map((grant) => grant.principal)]);
    const wanted = [...roles.map((role) => `postgres-${role}.password`), ...[...principals].map((principal) => `kafka-${principal}.password`)];
    const referenced = readFileSync(join(repo, 'docker-compose.yml'), 'utf8').match(new RegExp(`${SECRETS}/[\\w.-]+`, 'g')) ?? [];
    const missing = [...wanted, ...referenced.map((path) => path.slice(SECRETS.length + 1))].filter((file) => !existsSync(join(state, 'secrets', file)));

    expect(missing).toEqual([]);
  });

  it('given the Postgres roles, when compose makes them, then a one-shot job pipes deploy/local/postgres-roles-sql.sh into psql as the superuser before the migrations', () => {
    const jobs = byScript('deploy/local/postgres-roles-sql.sh');
    expect(jobs.map(([name]) => name)).toEqual(['postgres-roles']);
    const [, job] = jobs[0]!;

    expect(script(job)).toMatch(/bash deploy\/local\/postgres-roles-sql\.sh \| psql .*-v ON_ERROR_STOP=1 .*-U postgres -d postgres/);
    expect(job.environment?.CRM_STATE_DIR).toBe(STATE);
    expect(job.volumes).toEqual(expect.arrayContaining(['./deploy:/crm/deploy:ro', `crm-secrets:${SECRETS}:ro`]));
    expect(job.depends_on?.postgres?.condition).toBe('service_healthy');
    expect(services.migrate?.depends_on?.['postgres-roles']?.condition).toBe('service_completed_successfully');
  });

  it.each(['primary', 'backup'])(
    'given the %s Kafka cluster, when its broker settings are read, then every listener is SASL, the authorizer refuses what no ACL allows, admin is the super user and its SCRAM credential is written at format',
    (cluster) => {
      const broker = env(`kafka-${cluster}`);
      const protocols = broker.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP?.split(',').map((entry) => entry.split(':')[1]);

      expect(protocols).toEqual(['SASL_PLAINTEXT', 'SASL_PLAINTEXT', 'SASL_PLAINTEXT']);
      expect(broker.KAFKA_SASL_MECHANISM_INTER_BROKER_PROTOCOL).toBe('SCRAM-SHA-512');
      expect(broker.KAFKA_AUTHORIZER_CLASS_NAME).toBe('org.apache.kafka.metadata.authorizer.StandardAuthorizer');
      expect(broker.KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND).toBe('false');
      expect(broker.KAFKA_SUPER_USERS).toBe('User:admin');
      expect(script(services[`kafka-${cluster}`])).toMatch(/kafka-storage\.sh format .*\n?.*--add-scram "SCRAM-SHA-512=\[name=admin,password=/);
      expect(services[`kafka-${cluster}`]?.volumes).toContain(`crm-secrets:${SECRETS}:ro`);
    },
  );

  it('given the shell scripts compose runs, when bash reads them (compose’s $$ unescaped), then every one parses', () => {
    const scripts = Object.entries(services).flatMap(([name, service]) =>
      [service.entrypoint, service.command].filter((part): part is string[] => Array.isArray(part) && part[0] === 'bash').map((part) => [name, part.at(-1)!]),
    );
    const failing = scripts.filter(([, text]) => {
      try {
        execFileSync('bash', ['-n', '-c', text!.replaceAll('$$', '$')], { stdio: 'ignore' });
        return false;
      } catch {
        return true;
      }
    });

    expect(scripts.length).toBeGreaterThanOrEqual(6);
    expect(failing.map(([name]) => name)).toEqual([]);
  });

  it('given a formatted broker volume, when the Kafka entrypoint runs, then the image gets admin’s JAAS entries for every listener from the secrets volume, as server properties', () => {
    const data = mkdtempSync(join(tmpdir(), 'crm-kafka-data-'));
    try {
      writeFileSync(join(data, 'meta.properties'), 'cluster.id=x\n');
      const entrypoint = (services['kafka-primary']?.entrypoint as string[]).at(-1)!;
      const text = entrypoint
        .replaceAll('$$', '$')
        .replaceAll(SECRETS, join(state, 'secrets'))
        .replaceAll('/var/lib/kafka/data', data)
        .replace('exec /etc/kafka/docker/run', 'env');
      const started = execFileSync('bash', ['-ec', text], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, ...env('kafka-primary') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const admin = readFileSync(join(state, 'secrets', 'kafka-admin.password'), 'utf8').trim();
      const scram = `org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${admin}";`;

      // The image maps KAFKA_A_B___C to a.b-c: listener.name.internal.scram-sha-512.sasl.jaas.config and so on.
      for (const listener of ['INTERNAL', 'EXTERNAL']) {
        for (const bits of ['512', '256']) expect(started).toContain(`KAFKA_LISTENER_NAME_${listener}_SCRAM___SHA___${bits}_SASL_JAAS_CONFIG=${scram}\n`);
      }
      expect(started).toContain(
        `KAFKA_LISTENER_NAME_CONTROLLER_PLAIN_SASL_JAAS_CONFIG=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="${admin}" user_admin="${admin}";`,
      );
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });

  it.each(['primary', 'backup'])(
    'given the %s Kafka cluster, when its ACLs are applied, then tools/kafka-access.ts runs as locally (that cluster’s grants and kafka.sh’s principals) before any service starts',
    (cluster) => {
      const jobs = byScript(`node tools/kafka-access.ts kafka-${cluster}:29092`);
      expect(jobs).toHaveLength(1);
      const [name, job] = jobs[0]!;

      expect(job.environment).toEqual({ CRM_STATE_DIR: STATE, CRM_KAFKA_CLUSTER: cluster });
      expect(script(job)).toContain(`kafka_principals ${cluster}`);
      expect(job.depends_on?.[`kafka-${cluster}`]?.condition).toBe('service_healthy');
      for (const service of Object.keys(NODE_SERVICES)) expect(services[service]?.depends_on?.[name]?.condition).toBe('service_completed_successfully');
    },
  );
});

describe('deploy/local/postgres-roles-sql.sh', () => {
  let state: string;
  beforeAll(() => {
    state = mkdtempSync(join(tmpdir(), 'crm-pg-sql-'));
    execFileSync('bash', [join(local, 'infra.sh'), 'secrets'], { env: { PATH: process.env.PATH, CRM_STATE_DIR: state }, stdio: 'ignore' });
  });
  afterAll(() => rmSync(state, { recursive: true, force: true }));

  it('given the secrets, when it prints the SQL, then it is exactly what infra.sh pipes into psql on every start', () => {
    const printed = execFileSync('bash', [join(local, 'postgres-roles-sql.sh')], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, CRM_STATE_DIR: state },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // pg_ensure_roles_and_databases, with psql replaced by a capture of its stdin.
    const capture = join(state, 'applied.sql');
    bash('PG_LOG=/dev/null; pg_psql_super() { cat >"$CAPTURE"; }; pg_ensure_roles_and_databases', ['lib.sh', 'postgres.sh'], {
      CRM_STATE_DIR: state,
      CAPTURE: capture,
    });
    const applied = readFileSync(capture, 'utf8');

    expect(printed).toBe(applied);
    expect(printed.length).toBeGreaterThan(1000);
  });

  it('given the secrets, when it prints the SQL, then it makes every role and database of libs/config’s table, each login role with its own password', () => {
    const printed = execFileSync('bash', [join(local, 'postgres-roles-sql.sh')], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, CRM_STATE_DIR: state },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const password = (role: string) => readFileSync(join(state, 'secrets', `postgres-${role}.password`), 'utf8').trim();

    for (const [database, owner] of Object.entries(DATABASE_OWNERS)) expect(printed).toContain(`'CREATE DATABASE ${database} OWNER ${owner}'`);
    for (const role of ['identity', 'contacts', 'consent', 'audit', 'backup'].map(serviceRole)) {
      expect(printed).toContain(`ALTER ROLE ${role} WITH LOGIN NOCREATEDB NOSUPERUSER NOCREATEROLE PASSWORD '${password(role)}';`);
    }
    expect(printed).toContain('ALTER ROLE crm_audit_owner WITH NOLOGIN');
    expect(printed).toContain('GRANT CONNECT ON DATABASE audit TO crm_audit;');
  });

  it('given a missing password file, when it is asked for the SQL, then it refuses rather than print an empty password', () => {
    rmSync(join(state, 'secrets', 'postgres-crm_audit.password'));

    expect(() =>
      execFileSync('bash', [join(local, 'postgres-roles-sql.sh')], { env: { PATH: process.env.PATH, CRM_STATE_DIR: state }, stdio: 'ignore' }),
    ).toThrow();
  });
});
