import { randomUUID } from 'node:crypto';
import { fromBinary, SignedTreeHeadSchema, toBinary } from '@crm/contracts';
import type { KafkaCluster } from '@crm/messaging';
import { treeHeadFromProto, treeHeadToProto, type TreeHead } from './tree-head.codec.js';

/**
 * Where signed tree heads live: on Kafka, outside the audit database, kept forever (retention -1) and mirrored to
 * the backup cluster by the backup service. One partition: heads are few, and one total order is easy to audit.
 */
export const TREE_HEADS_TOPIC = 'crm.audit.v1.tree-heads';
export const TREE_HEAD_CONTENT_TYPE = `application/x-protobuf; messageType=${SignedTreeHeadSchema.typeName}`;

export async function ensureTreeHeadsTopic(kafka: KafkaCluster, topic = TREE_HEADS_TOPIC): Promise<void> {
  await kafka.ensureTopics([{ name: topic, partitions: 1 }]);
}

export async function publishTreeHead(kafka: KafkaCluster, head: TreeHead, topic = TREE_HEADS_TOPIC): Promise<void> {
  await kafka.publish(topic, [
    { key: head.logId, value: toBinary(SignedTreeHeadSchema, treeHeadToProto(head)), headers: { 'content-type': TREE_HEAD_CONTENT_TYPE } },
  ]);
}

export interface ReadHeads {
  heads: TreeHead[];
  /** Messages on the topic that are not decodable heads (reported by the verifier, never fatal). */
  undecodable: number;
}

/** Every head on the topic, in topic order. Reads up to the end offset measured first, so it terminates. */
export async function readTreeHeads(kafka: KafkaCluster, options: { topic?: string; timeoutMs?: number } = {}): Promise<ReadHeads> {
  const topic = options.topic ?? TREE_HEADS_TOPIC;
  if (!(await kafka.listTopics()).includes(topic)) return { heads: [], undecodable: 0 };
  const total = (await kafka.endOffsets(topic)).reduce((sum, end) => sum + end, 0n);
  if (total === 0n) return { heads: [], undecodable: 0 };
  const messages = await kafka.readFromStart(topic, (seen) => BigInt(seen.length) >= total, {
    groupId: `audit-tree-head-reader-${randomUUID()}`,
    timeoutMs: options.timeoutMs ?? 30_000,
  });
  const heads: TreeHead[] = [];
  let undecodable = 0;
  for (const message of messages) {
    try {
      const head = treeHeadFromProto(fromBinary(SignedTreeHeadSchema, message.value));
      if (head === undefined) undecodable++;
      else heads.push(head);
    } catch {
      undecodable++;
    }
  }
  return { heads, undecodable };
}
