// The disaster: the primary's data is gone — the Kafka log directory and every service database (the whole
// PostgreSQL data directory) — and the platform is brought back from the backups alone: pgBackRest's repository
// (snapshot + archived WAL) and the backup Kafka cluster the mirror kept. Every contact comes back except the erased
// one, and the audit verifier says VERIFIED. Destructive by design: it runs after every other suite (npm test's last
// step), against the same servers, and leaves the platform running on what it restored.
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createPool } from '@crm/postgres';
import { expectEventually, freshAdminSession, gateway, request, stateDir, staffSession, testPlatformConfig } from '@crm/testing';

const letters = (n: number) => Array.from({ length: n }, () => String.fromCharCode(97 + randomInt(26))).join('');
const marker = `disastermark${letters(10)}`;
const config = testPlatformConfig('contacts', { CRM_PG_DATABASE: 'contacts' });
const repo = join(import.meta.dirname, '..', '..');

/** Runs one of the platform's own commands, as an operator would; its output goes to the test log. */
function sh(command: string, args: string[]): { status: number | null; stdout: string } {
  const result = spawnSync(command, args, { cwd: repo, env: process.env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  process.stderr.write(`$ ${command} ${args.join(' ')} → ${String(result.status)}\n${result.stdout}${result.stderr}\n`);
  return { status: result.status, stdout: result.stdout };
}

const created: string[] = [];
let erased: string;
let admin: string;

beforeAll(async () => {
  admin = (await freshAdminSession()).accessToken;
}, 120_000);

describe('a disaster', () => {
  it('first: a snapshot, then contacts written and one erased after it, all of it reaching the backups', async () => {
    const snapshot = await request('POST', '/v1/backups/snapshots', admin, { type: 'full' });
    expect(snapshot.status).toBe(202);
    await expectEventually(
      async () => expect((await request('GET', `/v1/backups/snapshots/${String(snapshot.body.id)}`, admin)).body.status).toBe('completed'),
      { timeoutMs: 600_000, intervalMs: 1_000 },
    );

    const support = (await staffSession(admin, 'support', 'disaster')).accessToken;
    for (let i = 0; i < 4; i++) {
      const contact = await request('POST', '/v1/contacts', support, {
        purpose: 'customer-service',
        data: { name: { given: `${marker}${i}`, family: 'Restored' }, emails: [`${marker}${i}@example.com`] },
      });
      expect(contact.status).toBe(201);
      created.push(contact.body.id as string);
    }
    erased = created.pop()!;
    const dpo = (await staffSession(admin, 'dpo', 'disaster')).accessToken;
    expect((await request('POST', `/v1/contacts/${erased}/erasure`, dpo)).status).toBeLessThan(300);

    // The mirror has copied everything (the backup cluster holds the primary's history) ...
    await expectEventually(async () => expect((await request('GET', '/v1/backups/mirror', admin)).body.totalLag).toBe('0'), {
      timeoutMs: 120_000,
      intervalMs: 500,
    });
    // ... and the WAL with these writes is in the archive (a segment is shipped at least every archive_timeout).
    const pool = createPool({ ...config.postgres!, database: 'postgres' }, { max: 1 });
    try {
      const { rows } = await pool.query<{ wal: string }>('SELECT pg_walfile_name(pg_current_wal_lsn()) AS wal');
      await expectEventually(
        async () => {
          const archived = await pool.query<{ last: string | null }>('SELECT last_archived_wal AS last FROM pg_stat_archiver');
          expect((archived.rows[0]?.last ?? '').slice(0, 24) >= rows[0]!.wal).toBe(true);
        },
        { timeoutMs: 180_000, intervalMs: 1_000 },
      );
    } finally {
      await pool.end();
    }
  }, 900_000);

  it('then: the Kafka log directory and the databases are deleted, and `npm run restore -- --into live` brings them back', () => {
    expect(sh('node', ['tools/platform.ts', 'stop']).status).toBe(0);
    expect(sh('bash', ['deploy/local/infra.sh', 'stop', 'kafka-mirror', 'postgres', 'kafka-primary']).status).toBe(0);
    rmSync(process.env.CRM_PG_DATA ?? join(stateDir, 'postgres', 'data'), { recursive: true, force: true });
    rmSync(join(stateDir, 'kafka', 'primary', 'data'), { recursive: true, force: true });

    const restore = sh('bash', ['tools/crm.sh', 'restore', '--from', 'latest', '--into', 'live']);
    expect(restore.stdout).toContain('RESTORED AND VERIFIED');
    expect(restore.status).toBe(0);
    expect(sh('node', ['tools/platform.ts', 'start']).status).toBe(0);
  }, 1_800_000);

  it('and every contact is back, except the erased one', async () => {
    // The gateway restarted: connections kept alive from before are gone, so readiness is awaited afresh.
    await expectEventually(async () => expect((await fetch(`${gateway}/health/ready`)).status).toBe(200), { timeoutMs: 60_000, intervalMs: 500 });
    admin = (await freshAdminSession()).accessToken;
    const support = (await staffSession(admin, 'support', 'after')).accessToken;
    for (const [i, id] of created.entries()) {
      const contact = await request('GET', `/v1/contacts/${id}?purpose=customer-service`, support);
      expect(contact.status).toBe(200);
      expect(contact.text).toContain(`${marker}${i}`);
    }
    expect((await request('GET', `/v1/contacts/${erased}?purpose=customer-service`, support)).status).toBe(410);
    // The read models are rebuilt by the processors reading the rebuilt topics again.
    await expectEventually(
      async () => {
        const found = await request('GET', `/v1/contacts?purpose=customer-service&email=${marker}0@example.com`, support);
        expect((found.body.items as Array<{ id: string }>).map((item) => item.id)).toEqual([created[0]]);
      },
      { timeoutMs: 120_000, intervalMs: 1_000 },
    );
  }, 300_000);

  it('and the audit verifier says VERIFIED', () => {
    const verifier = sh('node', ['services/audit/dist/verifying/verify-cli.js']);
    expect(verifier.stdout).toContain('VERIFIED');
    expect(verifier.stdout).not.toContain('NOT VERIFIED');
    expect(verifier.status).toBe(0);
  });
});
