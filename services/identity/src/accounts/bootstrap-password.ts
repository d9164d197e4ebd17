import { createHash, timingSafeEqual } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ensurePrivateDirectory, isErrno, readPrivateFile, writePrivateFile } from '@crm/crypto';
import type { IdentityConfig } from '../identity.config.js';
import { IDENTITY_CONFIG, PASSWORD_POLICY } from '../identity.tokens.js';
import { generatePassword, type PasswordPolicy } from '../passwords/index.js';

/**
 * The first administrator's password (issue 15, item 7). At the first start it is the operator's
 * (`CRM_ADMIN_PASSWORD`, or the file `CRM_ADMIN_PASSWORD_FILE` names), else identity generates it into that file
 * (`<state>/secrets/admin.password` by default, mode 0600), for the operator to read once. The account must change it
 * at its first sign-in; when it does, the file goes: a password that opens nothing any more is not left lying around.
 */
@Injectable()
export class BootstrapPassword {
  readonly #logger = new Logger('BootstrapPassword');

  constructor(
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    @Inject(PASSWORD_POLICY) private readonly policy: PasswordPolicy,
  ) {}

  get file(): string {
    return this.config.adminPasswordFile;
  }

  /** The password the first administrator is created with: given, read from the file, or generated into it. */
  async obtain(): Promise<string> {
    if (this.config.adminPassword !== undefined) return this.config.adminPassword.reveal();
    const existing = await this.#read();
    if (existing !== undefined) return existing;
    await ensurePrivateDirectory(dirname(this.file));
    // Exclusive: two instances starting together agree on the first one's password.
    await writePrivateFile(this.file, `${generatePassword(this.policy, { name: 'Administrator', email: this.config.adminEmail })}\n`, { exclusive: true });
    const written = await this.#read();
    if (written === undefined) throw new Error('the generated administrator password file vanished after creation');
    this.#logger.log(`generated the first administrator's password into ${this.file}; it must be changed at the first sign-in`);
    return written;
  }

  /**
   * After a password change: when the file holds the password just replaced (the account was the bootstrap
   * administrator's, changing the generated password), the file is deleted. True when it was.
   */
  async discardIfReplaced(replacedPassword: string): Promise<boolean> {
    const stored = await this.#read();
    if (stored === undefined || !sameText(stored, replacedPassword)) return false;
    try {
      await unlink(this.file);
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return false;
      // An operator's read-only secret mount: the password in it opens nothing any more; say so, do not fail the change.
      this.#logger.warn(`the first administrator's password was changed but ${this.file} could not be deleted; delete it`);
      return false;
    }
    this.#logger.log(`the first administrator changed the generated password; ${this.file} is deleted`);
    return true;
  }

  async #read(): Promise<string | undefined> {
    const text = await readPrivateFile(this.file);
    const password = text?.replace(/\r?\n$/, '');
    return password === undefined || password === '' ? undefined : password;
  }
}

function sameText(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}
