import { constants } from 'node:fs';
import { chmod, link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** A directory only the service user can enter; mkdir's mode is filtered by the umask, so it is set again. */
export async function ensurePrivateDirectory(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  await chmod(path, 0o700);
}

/**
 * Writes `content` under `path` so that no reader ever sees a partial file: a private temporary file is written and
 * fsynced, then moved into place. `exclusive` uses link() instead of rename(), which fails with EEXIST when the name
 * is taken: two processes racing to create the same name agree on one winner (returns false for the loser).
 */
export async function writePrivateFile(path: string, content: string, options: { exclusive: boolean }): Promise<boolean> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
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

/** Undefined when missing; refuses a file that group or others could read (a private key someone else may have). */
export async function readPrivateFile(path: string): Promise<string | undefined> {
  try {
    const info = await stat(path);
    if ((info.mode & 0o077) !== 0) throw new Error(`${basename(path)} must not be accessible to group or others (chmod 600)`);
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
}

/** Overwrites, fsyncs and unlinks, so a destroyed private key is not simply left in a freed block. */
export async function destroyPrivateFile(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, constants.O_RDWR);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return;
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
}

async function syncDirectory(path: string): Promise<void> {
  // Makes the new name (or its removal) itself durable, not just the file's bytes.
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
