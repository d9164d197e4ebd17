import { randomBytes } from 'node:crypto';
import { destroySecretFile, ensurePrivateDirectory, isErrno, readPrivateFile, writePrivateFile } from '@crm/crypto';

export { ensurePrivateDirectory, isErrno, readPrivateFile, writePrivateFile };

/** Overwrites, fsyncs and unlinks (see @crm/crypto), so a destroyed private key is not simply left in a freed block. */
export async function destroyPrivateFile(path: string): Promise<void> {
  await destroySecretFile(path, randomBytes);
}
