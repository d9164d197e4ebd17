// The restore's replay rate: how fast a restore reads the backup cluster's event topics and checks every event
// against the restored store (the "events" phase of `npm run restore`), as a ratio of a raw consumer reading the
// same topic on the same cluster to its end and doing nothing. The events go through the real mirror (MirrorMaker 2
// writes them to the backup cluster in transactions, markers and all); a tenth of them are missing from the store,
// like events written after a restore point.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { Secret } from '@crm/config';
import { uuidv7 } from '@crm/eventstore';
import { KafkaCluster, type OutgoingMessage } from '@crm/messaging';
import { createPool, ensureDatabase } from '@crm/postgres';
import type { scanEventGap } from '../../services/backup/src/restoring/event-gap.scan.ts';
import { pg, primaryBrokers, repoRoot, runId, timed, type Measurement, primarySasl } from './bench-env.ts';

const backupBrokers = (process.env.CRM_KAFKA_BACKUP_BROKERS ?? '127.0.0.1:19092').split(',');
const settings = { host: pg.host, port: pg.port, user: pg.user, password: new Secret(pg.password), database: pg.database };
const PARTITIONS = 6;

async function mirrored(backup: KafkaCluster, topic: string, count: number): Promise<void> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const topics = await backup.listTopics();
    if (topics.includes(topic)) {
      let seen = 0;
      await backup.readToEnd([topic], () => void (seen += 1), { groupId: `bench-restore-probe-${runId()}`, timeoutMs: 120_000 });
      if (seen >= count) return;
    }
    if (Date.now() > deadline) throw new Error('the mirror did not copy the bench topic in time');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export async function restoreReplay(count: number): Promise<Measurement[]> {
  const { scanEventGap: scan } = (await import(pathToFileURL(join(repoRoot, 'services', 'backup', 'dist', 'restoring', 'event-gap.scan.js')).href)) as {
    scanEventGap: typeof scanEventGap;
  };
  const id = runId();
  const topic = `crm.bench.restore_${id}`;
  const schema = `bench_restore_${id}`;
  const primary = new KafkaCluster({ name: 'primary', brokers: primaryBrokers, sasl: primarySasl, clientId: 'bench-restore' });
  const backup = new KafkaCluster({ name: 'backup', brokers: backupBrokers, sasl: primarySasl, clientId: 'bench-restore' });
  await ensureDatabase(settings, settings.database);
  const pool = createPool(settings, { max: 2, applicationName: 'bench-restore' });
  try {
    await pool.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.events (event_id uuid PRIMARY KEY, recorded_at timestamptz NOT NULL DEFAULT now())`);
    await primary.ensureTopics([{ name: topic, partitions: PARTITIONS }]);
    const ids = Array.from({ length: count }, () => uuidv7());
    for (let from = 0; from < count; from += 2_000) {
      const chunk = ids.slice(from, from + 2_000);
      const messages: OutgoingMessage[] = chunk.map((eventId) => ({
        key: eventId.slice(-8),
        value: Buffer.alloc(400, 0x61),
        headers: { 'event-id': eventId },
      }));
      await primary.publish(topic, messages);
      const stored = chunk.filter((_, i) => (from + i) % 10 !== 0);
      await pool.query(`INSERT INTO ${schema}.events (event_id) SELECT unnest($1::uuid[])`, [stored]);
    }
    await mirrored(backup, topic, count);
    const raw = await timed(() => backup.readToEnd([topic], () => undefined, { groupId: `bench-restore-raw-${id}`, timeoutMs: 600_000 }));
    const replay = await timed(() =>
      scan(backup, () => settings, { groupId: `bench-restore-replay-${id}`, timeoutMs: 600_000, stores: [{ database: settings.database, schema, topic }] }),
    );
    const gap = replay.result.stores[0]!;
    if (gap.onBackup !== count || gap.missing !== Math.ceil(count / 10)) throw new Error(`restore replay: read ${gap.onBackup}, missing ${gap.missing}`);
    return [
      {
        section: 'backup',
        name: 'restore replay, raw consumer baseline (backup cluster to its end, no-op)',
        perSecond: count / raw.seconds,
        count,
        seconds: raw.seconds,
      },
      {
        section: 'backup',
        name: 'restore replay: backup cluster events checked against the restored store',
        perSecond: count / replay.seconds,
        count,
        seconds: replay.seconds,
        extra: { missing: gap.missing },
      },
    ];
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await pool.end();
    await primary.deleteTopics([topic]).catch(() => undefined);
    await backup.deleteTopics([topic]).catch(() => undefined);
    await Promise.all([primary.close(), backup.close()]);
  }
}
