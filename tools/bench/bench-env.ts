// What every benchmark section needs: where the servers are, how to run a tool, how to time things.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const repoRoot = resolve(dirname(new URL(import.meta.url).pathname), '..', '..');
export const stateDir = resolve(process.env.CRM_STATE_DIR ?? join(repoRoot, '.crm'));
export const primaryBrokers = (process.env.CRM_KAFKA_PRIMARY_BROKERS ?? '127.0.0.1:9092').split(',');
/** The benchmark signs in to both clusters as `admin` (it creates and deletes topics of its own). */
const kafkaAdminPassword = readFileSync(process.env.CRM_KAFKA_ADMIN_PASSWORD_FILE ?? join(stateDir, 'secrets', 'kafka-admin.password'), 'utf8').trim();
export const primarySasl = { mechanism: 'scram-sha-512', username: 'admin', password: { reveal: () => kafkaAdminPassword } } as const;
/** The same for @platformatic/kafka clients made directly, and for Kafka's Java tools (`--command-property`). */
export const primaryClientSasl = { sasl: { mechanism: 'SCRAM-SHA-512', username: 'admin', password: kafkaAdminPassword } } as const;
export const primaryJavaSasl = [
  'security.protocol=SASL_PLAINTEXT',
  'sasl.mechanism=SCRAM-SHA-512',
  `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${kafkaAdminPassword}";`,
];
export const pg = {
  host: process.env.CRM_PG_HOST ?? '127.0.0.1',
  port: Number(process.env.CRM_PG_PORT ?? 55432),
  user: process.env.CRM_PG_USER ?? 'crm',
  password: readFileSync(process.env.CRM_PG_PASSWORD_FILE ?? join(stateDir, 'secrets', 'postgres-crm.password'), 'utf8').trim(),
  database: 'crm_test',
};

/** One measured line of the report. `perSecond` is events (or records, rows) per second. */
export interface Measurement {
  section: string;
  name: string;
  perSecond: number;
  count: number;
  seconds: number;
  extra?: Record<string, number | string>;
}

export function runId(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

export async function timed<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const started = performance.now();
  const result = await work();
  return { result, seconds: (performance.now() - started) / 1000 };
}

/** Runs a command to completion, returning its stdout; a non-zero exit is an error carrying stderr's tail. */
export function run(command: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolvePromise(out) : reject(new Error(`${command} exited ${code}: ${err.slice(-800)}`))));
  });
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
