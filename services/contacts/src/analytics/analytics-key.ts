import { randomBytes } from 'node:crypto';
import { rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AppError } from '@crm/errors';
import { ensurePrivateDirectory, readPrivateFile, writePrivateFile } from '@crm/crypto';

/** Provider of the analytics key (a Buffer): the HMAC key of the analytics streams' pseudonyms. */
export const ANALYTICS_KEY = Symbol('ANALYTICS_KEY');

/** `CRM_ANALYTICS_KEY_FILE`, else `<state dir>/secrets/analytics.key` (deploy/local/infra.sh creates it). */
export function analyticsKeyFile(stateDir: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.CRM_ANALYTICS_KEY_FILE ?? join(stateDir, 'secrets', 'analytics.key');
}

/**
 * The analytics key: 256 bits, hex in a private file. Generated at first start when missing (as infra.sh does), the
 * file created exclusively so two starting processes agree on one key. It is the analytics streams' own key: not a
 * subject key, not the blind-index key, so knowing it reveals nothing else, and replacing it re-keys every pseudonym.
 */
export async function loadAnalyticsKey(file: string): Promise<Buffer> {
  let hex = await readPrivateFile(file);
  if (hex === undefined) {
    await ensurePrivateDirectory(dirname(file));
    await writePrivateFile(file, randomBytes(32).toString('hex'), { exclusive: true });
    hex = await readPrivateFile(file);
  }
  return parseKey(hex);
}

function parseKey(hex: string | undefined): Buffer {
  const key = Buffer.from((hex ?? '').trim(), 'hex');
  if (key.length < 32) throw new AppError('ANALYTICS_KEY_INVALID', 'internal', 'the analytics key must be at least 256 bits, hex');
  return key;
}

/** A rotation of the analytics key under way: the key in use, its successor, and the step that makes it the key. */
export interface AnalyticsKeyRotation {
  retired: Buffer;
  next: Buffer;
  /** The successor replaces the key in its file (atomically); the retired key is gone from disk. */
  commit(): Promise<void>;
}

/**
 * Starts (or resumes) a rotation of the key in `file`: its successor is generated into `<file>.next` once, so a
 * rotation interrupted before `commit` resumes with the same successor and republishes the same pseudonyms.
 */
export async function beginAnalyticsKeyRotation(file: string): Promise<AnalyticsKeyRotation> {
  const current = await readPrivateFile(file);
  if (current === undefined) throw new AppError('ANALYTICS_KEY_MISSING', 'invalid', 'there is no analytics key to rotate (the platform has not started yet)');
  const nextFile = `${file}.next`;
  await writePrivateFile(nextFile, randomBytes(32).toString('hex'), { exclusive: true });
  const next = parseKey(await readPrivateFile(nextFile));
  return { retired: parseKey(current), next, commit: () => rename(nextFile, file) };
}
