import { fromBinary, SignedTreeHeadSchema } from '@crm/contracts';
import type { PostgresSettings } from '@crm/config';
import type { IncomingMessage, KafkaCluster, OutgoingMessage } from '@crm/messaging';
import { createPool, type Pool } from '@crm/postgres';
import { MIRROR_OFFSETS_TOPIC, MIRROR_SOURCE_ALIAS, parseMirroredOffset } from '../mirror/mirror-offsets.js';
import type { EventStoreLocation } from './event-gap.scan.js';

/** The platform's topics, as the mirror copies them (mirror internals and other clusters' topics are left alone). */
const PLATFORM_TOPIC = /^crm\./;
const TREE_HEADS_TOPIC = 'crm.audit.v1.tree-heads';
const BATCH = 2_000;

export interface TopicRebuilt {
  topic: string;
  copied: number;
  /** Records left out: events the restored stores do not hold, heads over audit entries that were not restored. */
  left: number;
}

/**
 * Rebuilds the primary cluster's platform topics from the backup cluster after a live restore, so the event history
 * on Kafka agrees with the restored databases: each topic is created again with the backup's partitions and
 * retention and copied record for record (same partition, key, headers, timestamp, in order), except the events the
 * restored stores do not hold (written after the restore point: the RPO) and the signed heads over audit entries that
 * were not restored. The topics are recreated: a primary whose history went on past the restore point would
 * otherwise feed the services events their databases never saw.
 */
export async function rebuildPrimary(
  backup: KafkaCluster,
  primary: KafkaCluster,
  restored: (database: string) => PostgresSettings,
  stores: readonly EventStoreLocation[],
  auditEntries: number,
  options: { groupId: string; timeoutMs: number; onProgress?: (records: number) => void },
): Promise<{ topics: TopicRebuilt[]; endOffsets: Map<string, bigint[]> }> {
  const topics = (await backup.listTopics()).filter((topic) => PLATFORM_TOPIC.test(topic)).sort();
  const partitions = await backup.endOffsetsOf(topics);
  await primary.deleteTopics(topics);
  const rebuilt: TopicRebuilt[] = [];
  const endOffsets = new Map<string, bigint[]>();
  let records = 0;
  for (const topic of topics) {
    const config = await backup.topicConfig(topic);
    const count = partitions.get(topic)?.length ?? 1;
    const compact = config['cleanup.policy'] === 'compact';
    await primary.ensureTopics([
      { name: topic, partitions: count, retentionMs: Number(config['retention.ms'] ?? -1), ...(compact ? { cleanupPolicy: 'compact' as const } : {}) },
    ]);
    const store = stores.find((candidate) => candidate.topic === topic);
    const pool = store === undefined ? undefined : createPool(restored(store.database), { max: 1, applicationName: 'crm-restore' });
    const result: TopicRebuilt = { topic, copied: 0, left: 0 };
    let batch: IncomingMessage[] = [];
    const flush = async (): Promise<void> => {
      const keep = await kept(batch, pool, store, topic, auditEntries);
      result.copied += keep.length;
      result.left += batch.length - keep.length;
      await primary.publish(topic, keep);
      records += batch.length;
      options.onProgress?.(records);
      batch = [];
    };
    try {
      await backup.readToEnd(
        [topic],
        async (message) => {
          batch.push(message);
          if (batch.length >= BATCH) await flush();
        },
        { ...options, groupId: `${options.groupId}-${topic}` },
      );
      await flush();
    } finally {
      await pool?.end();
    }
    rebuilt.push(result);
  }
  for (const [topic, offsets] of await primary.endOffsetsOf(topics)) endOffsets.set(topic, offsets);
  return { topics: rebuilt, endOffsets };
}

async function kept(
  batch: readonly IncomingMessage[],
  pool: Pool | undefined,
  store: EventStoreLocation | undefined,
  topic: string,
  auditEntries: number,
): Promise<OutgoingMessage[]> {
  let known: Set<string> | undefined;
  if (pool !== undefined && store !== undefined) {
    const ids = batch.map((message) => message.headers['event-id']).filter((id): id is string => id !== undefined && /^[0-9a-f-]{36}$/i.test(id));
    const { rows } = await pool.query<{ id: string }>(`SELECT event_id::text AS id FROM ${store.schema}.events WHERE event_id = ANY($1::uuid[])`, [ids]);
    known = new Set(rows.map((row) => row.id));
  }
  return batch
    .filter((message) => {
      if (known !== undefined) return known.has(message.headers['event-id'] ?? '');
      if (topic === TREE_HEADS_TOPIC) return headWithin(message.value, auditEntries);
      return true;
    })
    .map((message) => ({
      key: message.key ?? '',
      value: message.value,
      headers: message.headers,
      partition: message.partition,
      ...(message.timestamp === undefined ? {} : { timestamp: message.timestamp }),
    }));
}

/** A signed head is kept when it covers no more entries than were restored (an undecodable one is kept: the verifier reports it). */
function headWithin(value: Buffer, auditEntries: number): boolean {
  try {
    return Number(fromBinary(SignedTreeHeadSchema, value).treeSize) <= auditEntries;
  } catch {
    return true;
  }
}

/**
 * Processors keep their Kafka positions in their own databases (`processor_checkpoints`); the rebuilt primary has new
 * offsets, so every position is forgotten and the processors read their topics again from the start. That is safe:
 * projectors skip stream versions they have applied and reactors the event ids they have processed.
 */
export async function resetProcessorCheckpoints(restored: (database: string) => PostgresSettings, stores: readonly EventStoreLocation[]): Promise<number> {
  let reset = 0;
  for (const store of stores) {
    const pool = createPool(restored(store.database), { max: 1, applicationName: 'crm-restore' });
    try {
      const { rows } = await pool.query<{ present: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS present`, [`${store.schema}.processor_checkpoints`]);
      if (rows[0]?.present === true) reset += (await pool.query(`DELETE FROM ${store.schema}.processor_checkpoints`)).rowCount ?? 0;
    } finally {
      await pool.end();
    }
  }
  return reset;
}

/**
 * Tells the (stopped) mirror where the rebuilt primary's topics end, so it copies only what is written after the
 * restore and never the rebuilt history again: one Kafka Connect source offset per topic-partition, in the partition
 * of the offsets topic the mirror itself used for that key (Connect reads the last record per key).
 */
export async function resumeMirrorAt(backup: KafkaCluster, endOffsets: ReadonlyMap<string, bigint[]>, groupId: string): Promise<number> {
  const where = new Map<string, { key: string; partition: number }>();
  if ((await backup.listTopics()).includes(MIRROR_OFFSETS_TOPIC)) {
    await backup.readToEnd(
      [MIRROR_OFFSETS_TOPIC],
      (message) => {
        const parsed = parseMirroredOffset(message.key, message.value);
        if (parsed !== undefined && message.key !== undefined)
          where.set(`${parsed.topic}:${parsed.partition}`, { key: message.key, partition: message.partition });
      },
      { groupId, timeoutMs: 120_000 },
    );
  }
  const messages: OutgoingMessage[] = [];
  for (const [topic, offsets] of endOffsets) {
    offsets.forEach((end, partition) => {
      const known = where.get(`${topic}:${partition}`);
      const key = known?.key ?? JSON.stringify(['MirrorSourceConnector', { cluster: MIRROR_SOURCE_ALIAS, partition, topic }]);
      messages.push({ key, value: Buffer.from(JSON.stringify({ offset: Number(end - 1n) })), ...(known === undefined ? {} : { partition: known.partition }) });
    });
  }
  await backup.publish(MIRROR_OFFSETS_TOPIC, messages);
  return messages.length;
}
