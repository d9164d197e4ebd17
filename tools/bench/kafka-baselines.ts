// Three ways to put the same records into the same primary broker, measured in one run:
// Kafka's own ProducerPerformance (the ceiling of this broker on this machine), kafkajs 2.2.4 and
// @platformatic/kafka, both as an idempotent acks=all producer sending batches like the outbox relay does.
import { join } from 'node:path';
import { Admin, ProduceAcks, Producer } from '@platformatic/kafka';
import kafkajs from 'kafkajs';
import { primaryBrokers, repoRoot, run, runId, timed, type Measurement, primaryClientSasl, primaryJavaSasl } from './bench-env.ts';

const RECORD_BYTES = 300;
const BATCH = 500;

async function createTopic(name: string): Promise<void> {
  const admin = new Admin({ clientId: 'bench-admin', bootstrapBrokers: primaryBrokers, ...primaryClientSasl });
  try {
    await admin.createTopics({ topics: [name], partitions: 6, replicas: 1 });
  } finally {
    await admin.close();
  }
}

function records(count: number): Array<{ key: Buffer; value: Buffer }> {
  const value = Buffer.alloc(RECORD_BYTES, 0x61);
  return Array.from({ length: count }, (_, i) => ({ key: Buffer.from(`subject-${i % 1000}`), value }));
}

export async function kafkaPerfTool(count: number): Promise<Measurement> {
  const topic = `bench.perftool.${runId()}`;
  await createTopic(topic);
  const output = await run('bash', [
    join(repoRoot, 'deploy', 'local', 'kafka-tool.sh'),
    'org.apache.kafka.tools.ProducerPerformance',
    '--topic',
    topic,
    '--num-records',
    String(count),
    '--record-size',
    String(RECORD_BYTES),
    '--throughput',
    '-1',
    '--command-property',
    `bootstrap.servers=${primaryBrokers.join(',')}`,
    ...primaryJavaSasl,
    'acks=all',
    'enable.idempotence=true',
    'linger.ms=5',
    'batch.size=262144',
  ]);
  const summary = output.trim().split('\n').at(-1) ?? '';
  const match = /([\d.]+) records\/sec/.exec(summary);
  if (match === null) throw new Error(`unexpected ProducerPerformance output: ${summary}`);
  const perSecond = Number(match[1]);
  return { section: 'kafka', name: 'Kafka ProducerPerformance (Java, acks=all, idempotent)', perSecond, count, seconds: count / perSecond };
}

export async function kafkajsProducer(count: number): Promise<Measurement> {
  const topic = `bench.kafkajs.${runId()}`;
  await createTopic(topic);
  const client = new kafkajs.Kafka({
    clientId: 'bench-kafkajs',
    brokers: primaryBrokers,
    sasl: { mechanism: 'scram-sha-512', username: primaryClientSasl.sasl.username, password: primaryClientSasl.sasl.password },
    logLevel: kafkajs.logLevel.NOTHING,
  });
  const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const all = records(count);
  const { seconds } = await timed(async () => {
    for (let i = 0; i < all.length; i += BATCH) await producer.send({ topic, acks: -1, messages: all.slice(i, i + BATCH) });
  });
  await producer.disconnect();
  return { section: 'kafka', name: `kafkajs 2.2.4 (batches of ${BATCH}, acks=all, idempotent)`, perSecond: count / seconds, count, seconds };
}

export async function platformaticProducer(count: number): Promise<Measurement> {
  const topic = `bench.platformatic.${runId()}`;
  await createTopic(topic);
  const producer = new Producer({
    clientId: 'bench-platformatic',
    bootstrapBrokers: primaryBrokers,
    ...primaryClientSasl,
    idempotent: true,
    acks: ProduceAcks.ALL,
  });
  const all = records(count).map((record) => ({ ...record, topic }));
  const { seconds } = await timed(async () => {
    for (let i = 0; i < all.length; i += BATCH) await producer.send({ messages: all.slice(i, i + BATCH) });
  });
  await producer.close();
  return { section: 'kafka', name: `@platformatic/kafka 2.12.1 (batches of ${BATCH}, acks=all, idempotent)`, perSecond: count / seconds, count, seconds };
}
