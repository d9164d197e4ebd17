// The running services, each as its own OS user with exactly the groups of the secrets it reads (issue 15 item 8,
// tools/secret-access.ts): read from the kernel (/proc/<pid>/status) for the pids in the launcher's run directory.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir } from '@crm/testing';

const SERVICES = ['identity', 'contacts', 'consent', 'audit', 'backup', 'gateway'] as const;
const runDir = join(stateDir, 'run', 'services');
const recordFile = join(runDir, 'service-users.json');

interface SeparationRecord {
  mode: 'separate' | 'shared';
  reason?: string;
  services?: Record<string, { user: string; uid: number; gid: number; groups: number[] }>;
}

const record: SeparationRecord | undefined = existsSync(recordFile) ? (JSON.parse(readFileSync(recordFile, 'utf8')) as SeparationRecord) : undefined;
const skipReason =
  record === undefined
    ? `no ${recordFile}: the platform was not started by tools/platform.ts`
    : record.mode !== 'separate'
      ? `separation is off (${record.reason ?? 'no reason recorded'})`
      : undefined;

/** The ids the kernel says a process runs with: real, effective, saved and filesystem uids (gids), its groups. */
function credentials(pid: number): { uids: number[]; gids: number[]; groups: number[] } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => (new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1] ?? '').trim().split(/\s+/).filter(Boolean).map(Number);
  return { uids: field('Uid'), gids: field('Gid'), groups: field('Groups').sort((a, b) => a - b) };
}

const pidOf = (service: string) => Number(readFileSync(join(runDir, `${service}.pid`), 'utf8').trim());

describe('the services’ OS users', () => {
  (skipReason === undefined ? it : it.skip)(
    `each service process runs as its own non-root user with only its secrets’ groups${skipReason === undefined ? '' : ` — skipped: ${skipReason}`}`,
    () => {
      const uids = new Set<number>();
      for (const service of SERVICES) {
        const expected = record!.services![service]!;
        const actual = credentials(pidOf(service));
        expect([service, actual.uids]).toEqual([service, [expected.uid, expected.uid, expected.uid, expected.uid]]);
        expect([service, actual.gids]).toEqual([service, [expected.gid, expected.gid, expected.gid, expected.gid]]);
        expect([service, actual.groups]).toEqual([service, [...expected.groups].sort((a, b) => a - b)]);
        expect(expected.uid).not.toBe(0);
        uids.add(expected.uid);
      }
      expect(uids.size).toBe(SERVICES.length);
    },
  );

  (skipReason === undefined ? it : it.skip)(
    'the gateway shares no group with the key vault’s keys (KEK, blind-index key) nor with identity’s or audit’s own',
    () => {
      const groups = (service: string) => new Set(record!.services![service]!.groups);
      const gateway = groups('gateway');
      const keyVaultOnly = [...groups('contacts')].filter((gid) => groups('identity').has(gid) && groups('consent').has(gid) && !groups('audit').has(gid));
      expect(keyVaultOnly.length).toBeGreaterThanOrEqual(2); // crm-kek, crm-blind-index
      for (const gid of [...keyVaultOnly, record!.services!.identity!.gid, record!.services!.audit!.gid]) expect(gateway.has(gid)).toBe(false);
    },
  );
});
