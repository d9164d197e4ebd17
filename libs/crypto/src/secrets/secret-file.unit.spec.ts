import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePrivateDirectory, readPrivateFile, readOrCreateSecretFile, readSecretFile, writePrivateFile } from './secret-file.js';

// The process's own primary group stands in for a group the launcher shares secrets through (tools/secret-access.ts).
const ownGroup = String(process.getgid!());

describe('secret files shared with a group on purpose', () => {
  let dir: string;
  const saved = process.env.CRM_SECRET_GROUP_IDS;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crm-secret-file-'));
    delete process.env.CRM_SECRET_GROUP_IDS;
  });

  afterEach(async () => {
    if (saved === undefined) delete process.env.CRM_SECRET_GROUP_IDS;
    else process.env.CRM_SECRET_GROUP_IDS = saved;
    await rm(dir, { recursive: true, force: true });
  });

  it('given a key readable by its group, when that group is not one the launcher shares through, then it is refused', async () => {
    const file = join(dir, 'a.key');
    await writeFile(file, randomBytes(32), { mode: 0o640 });
    await chmod(file, 0o640);

    await expect(readSecretFile(file, 32)).rejects.toMatchObject({ code: 'SECRET_FILE_INSECURE' });
    await expect(readPrivateFile(file)).rejects.toMatchObject({ code: 'SECRET_FILE_INSECURE' });
  });

  it('given a key readable by its group, when the launcher shares through that group, then it is read; open to others it is still refused', async () => {
    process.env.CRM_SECRET_GROUP_IDS = `65533,${ownGroup}`;
    const file = join(dir, 'a.key');
    await writeFile(file, randomBytes(32), { mode: 0o600 });
    await chmod(file, 0o640);
    expect((await readSecretFile(file, 32))?.length).toBe(32);

    await chmod(file, 0o644);
    await expect(readSecretFile(file, 32)).rejects.toMatchObject({ code: 'SECRET_FILE_INSECURE' });
    await chmod(file, 0o650);
    await expect(readSecretFile(file, 32)).rejects.toMatchObject({ code: 'SECRET_FILE_INSECURE' });
  });

  it('given a setgid directory of a shared group, when a service writes a new key into it, then the group may read it (and replace it, when it may write there)', async () => {
    process.env.CRM_SECRET_GROUP_IDS = ownGroup;
    const shared = join(dir, 'kek');
    await mkdir(shared);
    await chmod(shared, 0o2770);

    await readOrCreateSecretFile(join(shared, '2.key'), 32, randomBytes);
    expect((await stat(join(shared, '2.key'))).mode & 0o7777).toBe(0o660);

    await chmod(shared, 0o2750);
    await writePrivateFile(join(shared, 'other.key'), 'x', { exclusive: true });
    expect((await stat(join(shared, 'other.key'))).mode & 0o7777).toBe(0o640);

    await ensurePrivateDirectory(shared);
    expect((await stat(shared)).mode & 0o7777).toBe(0o2750);
  });

  it('given a directory that is not shared, when a key is written into it, then it stays private (0600, directory 0700)', async () => {
    const plain = join(dir, 'plain');
    await mkdir(plain, { mode: 0o755 });
    await chmod(plain, 0o2755); // setgid, but its group is not one the launcher shares through
    await ensurePrivateDirectory(plain);
    expect((await stat(plain)).mode & 0o777).toBe(0o700);

    await readOrCreateSecretFile(join(plain, '1.key'), 32, randomBytes);
    expect((await stat(join(plain, '1.key'))).mode & 0o7777).toBe(0o600);
  });
});
