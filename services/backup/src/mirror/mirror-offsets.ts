/**
 * MirrorMaker 2 keeps, per source topic-partition, the last primary offset it has copied, as a Kafka Connect source
 * offset in `mm2-offsets.<source alias>.internal` on the target cluster. With exactly-once source support these are
 * committed in the same transaction as the copied records, so they say exactly how far the backup cluster holds the
 * primary. Record format (Kafka Connect's JSON converter, schemas off):
 *
 *   key   ["MirrorSourceConnector",{"cluster":"primary","partition":2,"topic":"crm.contacts.v1.events"}]
 *   value {"offset":99}        (null: a tombstone, the partition's offset was reset)
 */
export const MIRROR_SOURCE_ALIAS = 'primary';
export const MIRROR_OFFSETS_TOPIC = `mm2-offsets.${MIRROR_SOURCE_ALIAS}.internal`;

export interface MirroredOffset {
  topic: string;
  partition: number;
  /** The last primary offset copied to the backup cluster; null when the record is a tombstone. */
  lastCopied: bigint | null;
}

/** Parses one record of the mirror's offsets topic; undefined for records of other connectors or clusters, or malformed ones. */
export function parseMirroredOffset(key: string | undefined, value: Buffer | null | undefined): MirroredOffset | undefined {
  if (key === undefined) return undefined;
  let parsedKey: unknown;
  try {
    parsedKey = JSON.parse(key);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsedKey) || parsedKey.length !== 2 || parsedKey[0] !== 'MirrorSourceConnector') return undefined;
  const partitionKey = parsedKey[1] as { cluster?: unknown; topic?: unknown; partition?: unknown } | null;
  if (partitionKey === null || typeof partitionKey !== 'object') return undefined;
  const { cluster, topic, partition } = partitionKey;
  if (cluster !== MIRROR_SOURCE_ALIAS || typeof topic !== 'string' || !Number.isInteger(partition) || (partition as number) < 0) return undefined;
  if (value === null || value === undefined || value.length === 0) return { topic, partition: partition as number, lastCopied: null };
  // JSON.parse would round offsets above 2^53; the offset is read as text.
  const match = /"offset"\s*:\s*(-?\d+)/.exec(value.toString('utf8'));
  if (match === null) return undefined;
  return { topic, partition: partition as number, lastCopied: BigInt(match[1]!) };
}
