// The backup mirror's lag: how long after the primary acknowledged a record it is readable (read_committed) on the
// backup cluster, with MirrorMaker 2 as `npm start` runs it. Records are written at a steady rate in small batches,
// like the outbox relay under ordinary load, to a platform-named topic (so the mirror picks it up), then deleted.
import { Admin, Consumer, MessagesStreamModes, ProduceAcks, Producer } from '@platformatic/kafka';
import { percentile, primaryBrokers, runId, timed, type Measurement, primaryClientSasl } from './bench-env.ts';

const backupBrokers = (process.env.CRM_KAFKA_BACKUP_BROKERS ?? '127.0.0.1:19092').split(',');

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function mirrorLag(count: number, ratePerSecond: number): Promise<Measurement> {
  const topic = `crm.bench.mirror_${runId()}`;
  const primaryAdmin = new Admin({ clientId: 'bench-mirror-admin', bootstrapBrokers: primaryBrokers, ...primaryClientSasl });
  const backupAdmin = new Admin({ clientId: 'bench-mirror-admin', bootstrapBrokers: backupBrokers, ...primaryClientSasl });
  const producer = new Producer({ clientId: 'bench-mirror', bootstrapBrokers: primaryBrokers, ...primaryClientSasl, idempotent: true, acks: ProduceAcks.ALL });
  const consumer = new Consumer({
    clientId: 'bench-mirror',
    bootstrapBrokers: backupBrokers,
    ...primaryClientSasl,
    groupId: `bench-mirror-${runId()}`,
    autocommit: false,
    maxWaitTime: 50,
  });
  const ackedAt = new Map<string, number>();
  const lagMs: number[] = [];
  try {
    await primaryAdmin.createTopics({ topics: [topic], partitions: 6, replicas: 1 });
    // The mirror creates the topic on the backup within its topic refresh interval; only then can it be read. A
    // warm-up record then proves the whole path flows (and the reader has its partitions) before the clock starts.
    await until(async () => (await backupAdmin.listTopics()).includes(topic), 'the mirror to create the topic on the backup cluster');
    const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST });
    let received = 0;
    let warmedUp = false;
    const done = new Promise<void>((resolve) => {
      stream.on('data', (message) => {
        const id = message.key?.toString() ?? '';
        if (id === 'warm-up') warmedUp = true;
        const acked = ackedAt.get(id);
        if (acked === undefined) return;
        lagMs.push(performance.now() - acked);
        ackedAt.delete(id);
        if (++received === count) resolve();
      });
    });
    await producer.send({ messages: [{ topic, key: Buffer.from('warm-up'), value: Buffer.from('warm-up') }] });
    await until(() => Promise.resolve(warmedUp), 'the warm-up record on the backup cluster');
    const batch = Math.max(1, Math.round(ratePerSecond / 20)); // 20 sends a second
    const { seconds } = await timed(async () => {
      const started = performance.now();
      for (let sent = 0; sent < count; sent += batch) {
        const ids = Array.from({ length: Math.min(batch, count - sent) }, (_, i) => `r${sent + i}`);
        const due = started + (sent / ratePerSecond) * 1000;
        if (due > performance.now()) await new Promise((resolve) => setTimeout(resolve, due - performance.now()));
        await producer.send({ messages: ids.map((id) => ({ topic, key: Buffer.from(id), value: Buffer.alloc(300, 0x61) })) });
        const now = performance.now();
        for (const id of ids) ackedAt.set(id, now);
      }
      await Promise.race([
        done,
        new Promise((_, reject) => setTimeout(() => reject(new Error(`mirror: ${count - received} records never reached the backup`)), 120_000)),
      ]);
    });
    await stream.close();
    lagMs.sort((a, b) => a - b);
    const round2 = (value: number) => Math.round(value * 100) / 100;
    return {
      section: 'backup',
      name: `backup mirror lag: primary ack -> readable on the backup (${ratePerSecond}/s)`,
      perSecond: count / seconds,
      count,
      seconds,
      extra: { p50Ms: round2(percentile(lagMs, 50)), p99Ms: round2(percentile(lagMs, 99)), maxMs: round2(lagMs.at(-1) ?? Number.NaN) },
    };
  } finally {
    await consumer.close(true).catch(() => undefined);
    await producer.close().catch(() => undefined);
    await primaryAdmin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await backupAdmin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await Promise.all([primaryAdmin.close(), backupAdmin.close()]);
  }
}
