// The platform's resident memory: every process of ours (services, brokers, the backup mirror, Postgres, Redis), summed as PSS so
// that shared pages (mapped jars, libraries) are counted once, not once per process; Postgres's shared segment is
// counted whole (see platformMemory).
import { readdirSync, readFileSync } from 'node:fs';
import { repoRoot, stateDir } from './bench-env.ts';

export interface MemoryReport {
  totalMiB: number;
  byComponent: Record<string, number>;
}

function component(pid: string): string | undefined {
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return undefined;
  }
  if (cmdline.includes('connect.mirror.MirrorMaker') && cmdline.includes(stateDir)) return 'kafka-mirror';
  if (cmdline.includes('kafka.Kafka') && cmdline.includes(stateDir)) return cmdline.includes('/backup/') ? 'kafka-backup' : 'kafka-primary';
  if (cmdline.includes('redis-server') && cmdline.includes(process.env.CRM_REDIS_PORT ?? '56379')) return 'redis';
  // This checkout's services only: another checkout's platform on the same machine is not ours.
  const service = /services\/([a-z]+)\/dist\/main\.js/.exec(cmdline);
  if (service !== null && cmdline.includes(`${repoRoot}/services/`)) return `service:${service[1]}`;
  if (/^postgres[: ]|\/postgres /.test(cmdline) && isOurPostgres(pid)) return 'postgres';
  return undefined;
}

function postmasterPid(): string | undefined {
  try {
    return readFileSync(`${stateDir}/postgres/data/postmaster.pid`, 'utf8').split('\n')[0]!.trim();
  } catch {
    return undefined;
  }
}

function isOurPostgres(pid: string): boolean {
  const postmaster = postmasterPid();
  if (postmaster === undefined) return false;
  if (pid === postmaster) return true;
  try {
    return /PPid:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] === postmaster;
  } catch {
    return false;
  }
}

/** PSS of a process, and the part of it in shared memory (Postgres's shared buffers, mapped as /dev/zero or SysV). */
function pss(pid: string): { pssKiB: number; shmemKiB: number } {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0);
    return { pssKiB: field('Pss'), shmemKiB: field('Pss_Shmem') };
  } catch {
    return { pssKiB: 0, shmemKiB: 0 };
  }
}

/**
 * The size of the shared memory the postmaster allotted at start (shared buffers, WAL buffers, locks): fixed for the
 * server's life, whatever part of it has been touched yet.
 */
function sharedSegmentKiB(postmaster: string): number {
  try {
    let bytes = 0;
    for (const line of readFileSync(`/proc/${postmaster}/maps`, 'utf8').split('\n')) {
      const match = /^([0-9a-f]+)-([0-9a-f]+) \S*s\S* .*(?:\/dev\/zero|\/SYSV)/.exec(line);
      if (match !== null) bytes += parseInt(match[2]!, 16) - parseInt(match[1]!, 16);
    }
    return bytes / 1024;
  } catch {
    return 0;
  }
}

/**
 * PSS per component, in MiB. Postgres is counted as its processes' private memory plus its whole shared segment from
 * the start: the shared buffers are a cache of a configured size (`shared_buffers`) that fills as data is touched,
 * so counting only the pages touched so far would show a bounded cache warming up as growth (and understate the
 * memory the server will hold). The brokers are treated alike by starting them with their heap touched
 * (`-XX:+AlwaysPreTouch`, deploy/local/kafka.sh).
 */
export function platformMemory(): MemoryReport {
  const kib: Record<string, number> = {};
  let postgresShared = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    const name = component(pid);
    if (name === undefined) continue;
    const { pssKiB, shmemKiB } = pss(pid);
    kib[name] = (kib[name] ?? 0) + (name === 'postgres' ? pssKiB - shmemKiB : pssKiB);
    if (name === 'postgres') postgresShared += shmemKiB;
  }
  const postmaster = postmasterPid();
  if (kib.postgres !== undefined && postmaster !== undefined) kib.postgres += Math.max(sharedSegmentKiB(postmaster), postgresShared);
  const byComponent = Object.fromEntries(Object.entries(kib).map(([name, value]) => [name, Math.round(value / 1024)]));
  return { totalMiB: Object.values(byComponent).reduce((sum, value) => sum + value, 0), byComponent };
}
