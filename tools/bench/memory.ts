// The platform's resident memory: every process of ours (services, brokers, the backup mirror, Postgres, Redis), summed as PSS so
// that shared pages (Postgres's shared buffers, mapped jars) are counted once, not once per process.
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

function isOurPostgres(pid: string): boolean {
  try {
    const postmaster = readFileSync(`${stateDir}/postgres/data/postmaster.pid`, 'utf8').split('\n')[0]!.trim();
    if (pid === postmaster) return true;
    return /PPid:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] === postmaster;
  } catch {
    return false;
  }
}

function pssKiB(pid: string): number {
  try {
    return Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

export function platformMemory(): MemoryReport {
  const byComponent: Record<string, number> = {};
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    const name = component(pid);
    if (name === undefined) continue;
    byComponent[name] = (byComponent[name] ?? 0) + pssKiB(pid) / 1024;
  }
  for (const name of Object.keys(byComponent)) byComponent[name] = Math.round(byComponent[name]!);
  return { totalMiB: Object.values(byComponent).reduce((sum, value) => sum + value, 0), byComponent };
}
