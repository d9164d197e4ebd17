// An operator's view of the backup, through the gateway: every platform topic of the primary is listed with how far
// MirrorMaker 2 has copied it to the backup cluster, and the contacts' event history is fully copied.
import { adminSession, api, expectEventually } from '@crm/testing';

interface MirrorView {
  engine: string;
  totalLag: string;
  missingOnBackup: string[];
  partitions: Array<{ topic: string; partition: number; primaryEndOffset: string; mirroredUpTo: string; lag: string }>;
}

describe('GET /v1/backups/mirror through the gateway', () => {
  it('shows the contacts event history copied to the backup cluster, partition by partition', async () => {
    const admin = (await adminSession()).accessToken;
    const view = await expectEventually(
      async () => {
        const answer = await api('GET', '/v1/backups/mirror', undefined, admin);
        expect(answer.status).toBe(200);
        const body = answer.body as unknown as MirrorView;
        const contacts = body.partitions.filter((partition) => partition.topic === 'crm.contacts.v1.events');
        expect(contacts.length).toBeGreaterThan(0);
        expect(body.missingOnBackup).not.toContain('crm.contacts.v1.events');
        expect(contacts.map((partition) => partition.lag)).toEqual(contacts.map(() => '0'));
        return body;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(view.engine).toBe('MirrorMaker 2');
    expect(view.partitions.every((partition) => partition.topic.startsWith('crm.'))).toBe(true);
  });

  it('refuses an anonymous caller', async () => {
    expect((await api('GET', '/v1/backups/mirror')).status).toBe(401);
  });
});
