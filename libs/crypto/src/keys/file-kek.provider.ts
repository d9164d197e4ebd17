import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AES_256_KEY_BYTES } from '../aead/aes-256-gcm.js';
import { cryptoError } from '../crypto.errors.js';
import { systemRandomBytes, type RandomBytes } from '../entropy.js';
import { destroySecretFile, ensurePrivateDirectory, readOrCreateSecretFile, readSecretFile } from '../secrets/secret-file.js';
import type { KekProvider } from './kek-provider.port.js';

export interface FileKekProviderOptions {
  /** The platform state directory; KEKs live in `<stateDir>/secrets/kek/<epoch>.key`. */
  stateDir: string;
  randomBytes?: RandomBytes;
  /** The reads this provider makes (default: the file system); injected by tests that count them. */
  io?: Partial<KekFileReads>;
}

/** The two reads behind `kek()` and `currentEpoch()`: a key file, and the directory listing of epochs. */
export interface KekFileReads {
  readSecret(path: string, size: number): Promise<Uint8Array | undefined>;
  listDirectory(path: string): Promise<string[]>;
}

const fileSystemReads: KekFileReads = { readSecret: readSecretFile, listDirectory: (path) => readdir(path) };

const EPOCH_FILE = /^([1-9][0-9]{0,8})\.key$/;

/**
 * KEKs as 32 random bytes per epoch in a private directory (mode 700, files 600), generated at first use so no
 * key is ever committed. Keys are read from disk on every use rather than cached, so destroying an epoch takes
 * effect in every process at once; `CachingKekProvider` wraps it to keep those reads off the hot path. Good for a
 * single host; a KMS/HSM is the production answer.
 */
export class FileKekProvider implements KekProvider {
  readonly directory: string;
  readonly #randomBytes: RandomBytes;
  readonly #io: KekFileReads;

  constructor(options: FileKekProviderOptions) {
    this.directory = FileKekProvider.directoryFor(options.stateDir);
    this.#randomBytes = options.randomBytes ?? systemRandomBytes;
    this.#io = { ...fileSystemReads, ...options.io };
  }

  static directoryFor(stateDir: string): string {
    return join(stateDir, 'secrets', 'kek');
  }

  pathOf(epoch: number): string {
    return join(this.directory, `${epoch}.key`);
  }

  async currentEpoch(): Promise<number> {
    const epochs = await this.#epochs();
    if (epochs.length > 0) return Math.max(...epochs);
    await this.#create(1);
    return this.currentEpoch();
  }

  async kek(epoch: number): Promise<Uint8Array> {
    const key = Number.isInteger(epoch) && epoch > 0 ? await this.#io.readSecret(this.pathOf(epoch), AES_256_KEY_BYTES) : undefined;
    if (key === undefined) throw cryptoError('KEK_UNAVAILABLE', `the KEK of epoch ${epoch} does not exist or was destroyed`);
    return key;
  }

  async createNext(): Promise<number> {
    const epochs = await this.#epochs();
    const next = (epochs.length > 0 ? Math.max(...epochs) : 0) + 1;
    await this.#create(next);
    return next;
  }

  async destroy(epoch: number): Promise<void> {
    await destroySecretFile(this.pathOf(epoch), this.#randomBytes);
  }

  async #create(epoch: number): Promise<void> {
    await ensurePrivateDirectory(this.directory);
    // Two processes creating the same epoch race on link(); the loser reads the winner's key.
    await readOrCreateSecretFile(this.pathOf(epoch), AES_256_KEY_BYTES, this.#randomBytes);
  }

  async #epochs(): Promise<number[]> {
    let names: string[];
    try {
      names = await this.#io.listDirectory(this.directory);
    } catch (error) {
      if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT') return [];
      throw error;
    }
    return names.flatMap((name) => {
      const match = EPOCH_FILE.exec(name);
      return match === null ? [] : [Number(match[1])];
    });
  }
}
