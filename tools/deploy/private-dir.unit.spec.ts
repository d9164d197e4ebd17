// The setup scripts run as root on a fresh machine and make a directory at a predictable path under /var/tmp for the
// postgres OS user. A symbolic link planted there must be refused, never followed by chown/chmod.
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const lib = resolve(import.meta.dirname, '../../deploy/local/lib.sh');
const owner = spawnSync('id', ['-un'], { encoding: 'utf8' }).stdout.trim();

function privateDir(dir: string): { status: number | null; stderr: string } {
  const run = spawnSync('bash', ['-c', 'source "$1" && private_dir "$2" "$3"', 'private-dir', lib, dir, owner], { encoding: 'utf8' });
  return { status: run.status, stderr: run.stderr };
}

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'crm-private-dir-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

describe('private_dir (deploy/local/lib.sh)', () => {
  it('given nothing at the path, then it makes a directory of mode 700', () => {
    const dir = join(scratch, 'home');

    expect(privateDir(dir).status).toBe(0);

    expect(lstatSync(dir).isDirectory()).toBe(true);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('given a symbolic link planted at the path, then it refuses and leaves the link target as it was', () => {
    const target = join(scratch, 'victim');
    mkdirSync(target, { mode: 0o755 });
    writeFileSync(join(target, 'file'), 'x');
    const dir = join(scratch, 'home');
    symlinkSync(target, dir);

    const outcome = privateDir(dir);

    expect(outcome.status).not.toBe(0);
    expect(outcome.stderr).toContain('symbolic link');
    expect(statSync(target).mode & 0o777).toBe(0o755);
  });

  it('given a file at the path, then it refuses', () => {
    const dir = join(scratch, 'home');
    writeFileSync(dir, 'not a directory');

    expect(privateDir(dir).status).not.toBe(0);
  });
});
