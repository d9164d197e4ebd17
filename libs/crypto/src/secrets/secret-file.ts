import { constants, readFileSync, type Stats } from 'node:fs';
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { cryptoError } from '../crypto.errors.js';
import type { RandomBytes } from '../entropy.js';

/**
 * Reads a binary secret of exactly `size` bytes, generating it at first use. Creation is atomic and race-free
 * across processes: the bytes are written and fsynced to a private temporary file, then hard-linked into place
 * (link fails if the name exists), so a reader never sees a half-written key and two starters agree on one key.
 */
export async function readOrCreateSecretFile(path: string, size: number, randomBytes: RandomBytes): Promise<Uint8Array> {
  const existing = await readSecretFile(path, size);
  if (existing !== undefined) return existing;
  // New directories are private; an existing one (an orchestrator's secret mount) is left as its owner set it.
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writePrivateFile(path, randomBytes(size), { exclusive: true });
  const created = await readSecretFile(path, size);
  if (created === undefined) throw cryptoError('SECRET_FILE_INVALID', `secret file ${basename(path)} vanished after creation`);
  return created;
}

/**
 * The groups through which the launcher shares secrets on purpose (tools/secret-access.ts): a key file readable by
 * one of them, and by no one else, is not refused. The launcher tells the services (`CRM_SECRET_GROUP_IDS`, ids
 * separated by commas); a process it did not start (a test, an operator's command run as root) takes the groups the
 * launcher makes, all named `crm-…`, from /etc/group.
 */
export function sharedSecretGroupIds(env: NodeJS.ProcessEnv = process.env): Set<number> {
  const given = env.CRM_SECRET_GROUP_IDS;
  if (given === undefined || given === '') return platformGroupIds();
  return new Set(
    given
      .split(',')
      .map((id) => id.trim())
      .filter((id) => /^[0-9]+$/.test(id))
      .map(Number),
  );
}

let platformGroups: Set<number> | undefined;

function platformGroupIds(): Set<number> {
  if (platformGroups !== undefined) return platformGroups;
  let lines: string[];
  try {
    lines = readFileSync('/etc/group', 'utf8').split('\n');
  } catch {
    lines = [];
  }
  platformGroups = new Set(
    lines.flatMap((line) => {
      const [name, , gid] = line.split(':');
      return name?.startsWith('crm-') === true && /^[0-9]+$/.test(gid ?? '') ? [Number(gid)] : [];
    }),
  );
  return platformGroups;
}

/** Why a key file is refused: accessible to others, or to a group the launcher did not share it through. */
function exposure(info: Stats): 'others' | 'group' | undefined {
  if ((info.mode & 0o007) !== 0) return 'others';
  if ((info.mode & 0o070) === 0) return undefined;
  return (info.mode & 0o010) === 0 && sharedSecretGroupIds().has(info.gid) ? undefined : 'group';
}

/**
 * A directory several services write keys into (the launcher's KEK directory: setgid, its group one of
 * `CRM_SECRET_GROUP_IDS`): a new file there is for the group too, 0640, or 0660 where the group may also replace and
 * destroy files (the directory is group-writable). Its group is the directory's (setgid). Undefined: private, 0600.
 */
async function sharedDirectoryMode(directory: string): Promise<number | undefined> {
  const info = await stat(directory);
  if ((info.mode & 0o2000) === 0 || !sharedSecretGroupIds().has(info.gid)) return undefined;
  return (info.mode & 0o020) !== 0 ? 0o660 : 0o640;
}

/**
 * Writes `content` under `path` so that no reader ever sees a partial file: a private (0600) temporary file is
 * written and fsynced, then moved into place. `exclusive` uses link() instead of rename(), which fails with EEXIST
 * when the name is taken: processes racing to create the same name agree on one winner (false for the losers).
 */
export async function writePrivateFile(path: string, content: string | Uint8Array, options: { exclusive: boolean }): Promise<boolean> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${nodeRandomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    const shared = await sharedDirectoryMode(dirname(path));
    if (shared !== undefined) await handle.chmod(shared);
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  let won = true;
  try {
    if (options.exclusive) await link(temporary, path);
    else await rename(temporary, path);
  } catch (error) {
    if (!(options.exclusive && isErrno(error, 'EEXIST'))) throw error;
    won = false;
  } finally {
    if (options.exclusive) await unlink(temporary).catch(() => undefined);
  }
  await syncDirectory(dirname(path));
  return won;
}

/**
 * Undefined when missing; refuses a file that others could read (a private key someone else may have), or its group
 * unless the launcher shares it through that group on purpose (`CRM_SECRET_GROUP_IDS`).
 */
export async function readPrivateFile(path: string): Promise<string | undefined> {
  try {
    const info = await stat(path);
    if (exposure(info) !== undefined) throw cryptoError('SECRET_FILE_INSECURE', `${basename(path)} must not be accessible to group or others (chmod 600)`);
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
}

/** Undefined when the file does not exist; refuses a file of the wrong size or one readable by others or an unshared group. */
export async function readSecretFile(path: string, size: number): Promise<Uint8Array | undefined> {
  let bytes: Buffer;
  try {
    const info = await stat(path);
    if (exposure(info) !== undefined)
      throw cryptoError('SECRET_FILE_INSECURE', `secret file ${basename(path)} must not be accessible to group or others (chmod 600)`);
    bytes = await readFile(path);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
  if (bytes.length !== size) throw cryptoError('SECRET_FILE_INVALID', `secret file ${basename(path)} must hold exactly ${size} bytes`);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Overwrites the key with random bytes and fsyncs before unlinking, so the old bytes are not simply left in a
 * freed block. On copy-on-write or flash storage an overwrite is not guaranteed to hit the same physical block;
 * that residual risk is why production KEKs belong in a KMS/HSM, where destruction is an API guarantee.
 */
export async function destroySecretFile(path: string, randomBytes: RandomBytes): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, constants.O_RDWR);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return false;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    await handle.write(randomBytes(Math.max(size, 1)), 0, undefined, 0);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await unlink(path).catch((error: unknown) => {
    if (!isErrno(error, 'ENOENT')) throw error;
  });
  await syncDirectory(dirname(path));
  return true;
}

export async function ensurePrivateDirectory(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  // mkdir's mode is filtered by the umask and does not apply to an existing directory.
  const info = await stat(path);
  // Someone else's directory (the launcher's, laid out for several services; an orchestrator's mount) stays as they set it.
  if (process.getuid !== undefined && info.uid !== process.getuid()) return;
  // A directory shared on purpose keeps its group's access; only others lose theirs.
  if ((info.mode & 0o2000) !== 0 && sharedSecretGroupIds().has(info.gid)) await chmod(path, info.mode & 0o2770);
  else await chmod(path, 0o700);
}

export async function syncDirectory(path: string): Promise<void> {
  // Makes the link/unlink itself durable: without it a crash can resurrect a destroyed key's name or lose a new one.
  const handle = await open(path, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}
