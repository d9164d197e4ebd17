import type { KafkaCluster } from '@crm/messaging';
import type { EntriesStore } from '../trail/entries.store.js';
import type { TreeHeadKey } from '../tree-heads/tree-head.key.js';
import { readTreeHeads } from '../tree-heads/tree-heads.topic.js';
import { verifyAuditLog, type Verdict } from './audit-log.verifier.js';
import { databaseEntries, type AuditApiClient } from './entry.sources.js';

/** Verifies the audit database directly (an operator's or auditor's read access) against the heads on Kafka. */
export async function verifyDatabase(store: EntriesStore, kafka: KafkaCluster, key: TreeHeadKey, options: { topic?: string } = {}): Promise<Verdict> {
  const { heads, undecodable } = await readTreeHeads(kafka, options);
  return verifyAuditLog({ key, logId: await store.logId(), heads, undecodableHeads: undecodable, entries: databaseEntries(store) });
}

/**
 * Verifies through the API (a DPO without database access): entries paged from `GET /v1/audit/entries`, and the
 * consistency of every consecutive pair of heads proven by `GET /v1/audit/consistency`.
 */
export async function verifyApi(client: AuditApiClient, kafka: KafkaCluster, key: TreeHeadKey, options: { topic?: string } = {}): Promise<Verdict> {
  const { heads, undecodable } = await readTreeHeads(kafka, options);
  return verifyAuditLog({
    key,
    logId: await client.logId(),
    heads,
    undecodableHeads: undecodable,
    entries: client.entries(),
    consistencyProof: (oldSize, newSize) => client.consistencyProof(oldSize, newSize),
  });
}
