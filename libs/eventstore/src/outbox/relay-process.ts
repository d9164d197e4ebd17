// The outbox relay as a process of its own: `node libs/eventstore/dist/outbox/relay-process.js <schema>`.
// Configuration comes from the environment like every service (CRM_STATE_DIR, CRM_PG_*, CRM_PG_DATABASE,
// CRM_KAFKA_PRIMARY_BROKERS). One JSON line per published batch on stdout lets an operator (or a crash test) follow it.
import { loadPlatformConfig } from '@crm/config';
import { createLogger } from '@crm/logging';
import { KafkaCluster } from '@crm/messaging';
import { createPool } from '@crm/postgres';
import { OutboxRelay } from './outbox-relay.js';

const schema = process.argv[2];
if (schema === undefined) {
  process.stderr.write('usage: relay-process.js <schema> [batchSize]\n');
  process.exit(2);
}
const config = loadPlatformConfig({ service: 'outbox-relay', defaultPort: 0 });
const logger = createLogger({ service: 'outbox-relay', level: config.logLevel });
const pool = createPool(config.postgres!, { max: 4, applicationName: 'outbox-relay' });
const kafka = new KafkaCluster({ name: 'primary', brokers: config.kafka.primaryBrokers, sasl: config.kafka.sasl, clientId: 'crm-outbox-relay' });
let total = 0;
const relay = new OutboxRelay(pool, kafka, {
  schema,
  batchSize: Number(process.argv[3] ?? 500),
  pollIntervalMs: 200,
  logger,
  onBatch: (published) => {
    total += published;
    process.stdout.write(`${JSON.stringify({ published, total })}\n`);
  },
});
relay.start();
const shutdown = async (): Promise<void> => {
  await relay.stop();
  await Promise.all([kafka.close(), pool.end()]);
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
