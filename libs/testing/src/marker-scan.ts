import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

const CHUNK = 4 * 1024 * 1024;
/**
 * Kafka's offset and time indexes hold only numbers and are preallocated (10 MiB of zeros per partition), so they
 * are the one kind of file skipped: reading them would make the scan slow without making it any stronger.
 */
const NUMBERS_ONLY = /\.(index|timeindex)$/;

/**
 * Every regular file under `roots` whose bytes contain `marker` (as UTF-8), searched chunk by chunk with an overlap
 * so a marker straddling two chunks is still found. This is how "no plaintext PII at rest" is proved: plant a unique
 * string as personal data, then look for it in the servers' own files (Kafka segments, Postgres heap and WAL, …).
 */
export async function filesContaining(roots: readonly string[], marker: string): Promise<string[]> {
  const needle = Buffer.from(marker, 'utf8');
  // One buffer for the whole scan: allocating (and zeroing) 4 MiB per file dominated the time on Postgres's
  // thousands of small files.
  const buffer = Buffer.allocUnsafe(CHUNK + needle.length);
  const hits: string[] = [];
  for (const root of roots) {
    for (const file of await regularFiles(root)) {
      if (await fileContains(file, needle, buffer)) hits.push(file);
    }
  }
  return hits;
}

async function regularFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    // A file or directory that vanished mid-scan (Kafka rolling a segment, Postgres recycling WAL) is not a hit.
    if ((error as { code?: string }).code === 'ENOENT') return [];
    throw error;
  }
  const nested = await Promise.all(
    entries.map(async (entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return regularFiles(path);
      return entry.isFile() && !NUMBERS_ONLY.test(entry.name) ? [path] : [];
    }),
  );
  return nested.flat();
}

async function fileContains(file: string, needle: Buffer, buffer: Buffer): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return false;
    throw error;
  }
  try {
    let carried = 0;
    let position = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, carried, CHUNK, position);
      if (bytesRead === 0) return false;
      const filled = carried + bytesRead;
      if (buffer.subarray(0, filled).includes(needle)) return true;
      carried = Math.min(needle.length - 1, filled);
      buffer.copy(buffer, 0, filled - carried, filled);
      position += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

/** Where the platform writes files, by kind: what a "no plaintext at rest" scan must cover. */
export interface PlatformFileRoots {
  kafka: string[];
  postgres: string[];
  redis: string[];
  logs: string[];
  backups: string[];
}

/**
 * Every directory the local platform writes: both Kafka clusters' logs (the primary, and the mirror's copy in
 * "another server room"), Postgres's data directory, Redis's files, the services' logs, and pgBackRest's repository
 * (snapshots and the continuous WAL archive) in `backupDir`.
 */
export function platformFileRoots(stateDir: string, backupDir = join(stateDir, 'backups')): PlatformFileRoots {
  return {
    kafka: [join(stateDir, 'kafka', 'primary'), join(stateDir, 'kafka', 'backup')],
    postgres: [join(stateDir, 'postgres', 'data')],
    redis: [join(stateDir, 'redis')],
    logs: [join(stateDir, 'logs')],
    backups: [join(backupDir, 'pgbackrest')],
  };
}

/**
 * The files holding `marker`, by kind. Postgres is checkpointed first (`checkpoint`), so what is still only in its
 * WAL buffers reaches the heap files the scan reads.
 */
export async function scanPlatformFiles(
  roots: PlatformFileRoots,
  marker: string,
  checkpoint: () => Promise<void>,
): Promise<Record<keyof PlatformFileRoots, string[]>> {
  await checkpoint();
  const entries = await Promise.all(Object.entries(roots).map(async ([kind, dirs]) => [kind, await filesContaining(dirs as string[], marker)] as const));
  return Object.fromEntries(entries) as Record<keyof PlatformFileRoots, string[]>;
}
