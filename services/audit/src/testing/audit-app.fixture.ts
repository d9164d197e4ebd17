// Test-only: the audit service's module inside an application built the way the platform builds services (global
// guard, real Postgres, Redis and Kafka), on a scratch schema and private topics, with its own token signer.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JSONWebKeySet } from 'jose';
import { ACCESS_TOKEN_TYPE, CRM_TOKEN_AUDIENCE, CRM_TOKEN_ISSUER, type Permission } from '@crm/auth';
import { createLogger } from '@crm/logging';
import { KafkaCluster } from '@crm/messaging';
import { createServiceApp, type ServiceDefinition } from '@crm/platform';
import { scratchSchema, testPlatformConfig, uniqueName } from '@crm/testing';
import { loadAuditConfig, type AuditConfig } from '../audit.config.js';
import { AuditModule } from '../audit.module.js';
import { AuditRuntime } from '../audit.runtime.js';
import { auditMigrations } from '../migrations.js';

export interface AuditApp {
  app: INestApplication;
  url: string;
  kafka: KafkaCluster;
  config: AuditConfig;
  runtime: AuditRuntime;
  /** Topic names the app ingests: `<prefix>.<name>`. */
  topic: (name: string) => string;
  token: (permissions: Permission[], options?: { sub?: string; secondFactor?: boolean }) => Promise<string>;
  api: (
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; accept?: string },
  ) => Promise<{ status: number; body: unknown; text: string; headers: Headers }>;
  close: () => Promise<void>;
}

/**
 * `draftRegister`: whether the app drafts the built-in activities at start, as the platform does (off by default, so
 * a spec counting entries counts only what it fed in; the register's spec turns it on).
 */
export async function startAuditApp(options: { draftRegister?: boolean } = {}): Promise<AuditApp> {
  const scratch = await scratchSchema('it_audit_app', auditMigrations);
  const stateDir = await mkdtemp(join(tmpdir(), 'crm-audit-state-'));
  const prefix = uniqueName('itauditapp').replaceAll('-', '');
  const config = loadAuditConfig({
    CRM_AUDIT_SCHEMA: scratch.schema,
    CRM_AUDIT_TOPIC_PATTERN: `^${prefix}\\.[a-z]+$`,
    CRM_AUDIT_DISCOVERY_INTERVAL_MS: '200',
    CRM_AUDIT_SIGN_INTERVAL_MS: '300',
    CRM_AUDIT_TREE_HEADS_TOPIC: `${prefix}-tree-heads`,
    CRM_AUDIT_ACCESS_TOPIC: `${prefix}.access`,
    CRM_AUDIT_REGISTER_TOPIC: `${prefix}.audit`,
    CRM_AUDIT_DRAFT_REGISTER: options.draftRegister === true ? 'on' : 'off',
  });
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk, 'sha256');
  const jwks: JSONWebKeySet = { keys: [{ ...jwk, kid, alg: 'ES256', use: 'sig' }] };
  const platform = testPlatformConfig('audit');
  const definition: ServiceDefinition = {
    service: 'audit',
    defaultPort: 0,
    needs: { postgres: true, redis: true, kafka: 'primary' },
    module: () => AuditModule.register({ ...platform, stateDir }, config),
    verificationKeys: () => () => Promise.resolve(jwks),
  };
  const app = await createServiceApp(definition, platform, createLogger({ service: 'audit', level: 'silent' }));
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  const kafka = new KafkaCluster({ name: 'primary', brokers: platform.kafka.primaryBrokers, sasl: platform.kafka.sasl, clientId: 'audit-app-int-test' });
  // The app creates the access and register topics at boot; the ingest needs one topic to exist to subscribe.
  const token = (permissions: Permission[], options: { sub?: string; secondFactor?: boolean } = {}) => sign(privateKey, kid, permissions, options);
  return {
    app,
    url,
    kafka,
    config,
    runtime: app.get(AuditRuntime),
    topic: (name) => `${prefix}.${name}`,
    token,
    api: async (method, path, options = {}) => {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
          ...(options.accept === undefined ? {} : { accept: options.accept }),
        },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON (HTML, CSV)
      }
      return { status: response.status, body, text, headers: response.headers };
    },
    close: async () => {
      await app.close();
      await kafka.close();
      await scratch.drop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

async function sign(privateKey: CryptoKey, kid: string, permissions: Permission[], options: { sub?: string; secondFactor?: boolean }): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const secondFactor = options.secondFactor ?? true;
  return new SignJWT({
    sid: `session-${randomUUID()}`,
    roles: ['test'],
    perms: permissions,
    amr: secondFactor ? ['pwd', 'otp'] : ['pwd'],
    ...(secondFactor ? { mfa_at: now } : {}),
  })
    .setProtectedHeader({ alg: 'ES256', kid, typ: ACCESS_TOKEN_TYPE })
    .setSubject(options.sub ?? `user-${randomUUID()}`)
    .setIssuer(CRM_TOKEN_ISSUER)
    .setAudience(CRM_TOKEN_AUDIENCE)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + 600)
    .setJti(randomUUID())
    .sign(privateKey);
}
