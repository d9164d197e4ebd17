import { constants } from 'node:fs';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { destroySecretFile, ensurePrivateDirectory, isErrno, syncDirectory } from '@crm/crypto';

export { ensurePrivateDirectory, isErrno };

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

/** Overwrites, fsyncs and unlinks (see @crm/crypto), so a destroyed private key is not simply left in a freed block. */
export async function destroyPrivateFile(path: string): Promise<void> {
  await destroySecretFile(path, randomBytes);
}
