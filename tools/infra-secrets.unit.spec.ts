import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const lib = join(import.meta.dirname, '..', 'deploy', 'local', 'lib.sh');

/** Runs `ensure_secret <file>` of deploy/local/lib.sh in its own bash; answers its exit code. */
const ensureSecret = (file: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', 'source "$1" && ensure_secret "$2"', 'bash', lib, file], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? -1));
  });

describe("the infrastructure scripts' secret files", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'crm-secrets-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('given many starts racing for one missing secret (the two Kafka clusters share principals), when each ensures it, then all succeed and one secret stays, private', async () => {
    const file = join(dir, 'kafka-consent.password');

    const codes = await Promise.all(Array.from({ length: 24 }, () => ensureSecret(file)));

    expect(codes.filter((code) => code !== 0)).toEqual([]);
    expect(readdirSync(dir)).toEqual(['kafka-consent.password']);
    expect(readFileSync(file, 'utf8')).toMatch(/^[0-9a-f]{48}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('given an existing secret, when ensured again, then it is kept as it was', async () => {
    const file = join(dir, 'redis.password');
    await ensureSecret(file);
    const first = readFileSync(file, 'utf8');

    expect(await ensureSecret(file)).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(first);
  });
});
