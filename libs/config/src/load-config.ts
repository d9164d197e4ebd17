import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './config.errors.js';
import { Secret } from './secret.js';

export type Env = Record<string, string | undefined>;

/**
 * Validates the environment once, at boot. Problems name the variable and the rule, never the value:
 * the value may be a password typed into the wrong variable.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Env = process.env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new ConfigError(problems);
}

/**
 * Reads a secret from `<NAME>` or, preferably, from the file named by `<NAME>_FILE` (the local setup generates
 * those files at first start; orchestrators mount them). Trailing newlines are not part of the secret.
 */
export function secretFrom(env: Env, name: string, defaultFile?: string): Secret | undefined {
  const inline = env[name];
  if (inline !== undefined && inline !== '') return new Secret(inline);
  const file = env[`${name}_FILE`] ?? defaultFile;
  if (file === undefined) return undefined;
  try {
    return new Secret(readFileSync(file, 'utf8').replace(/\r?\n$/, ''));
  } catch (error) {
    const reason = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'unreadable';
    throw new ConfigError([`${name}_FILE: cannot read ${file} (${reason})`]);
  }
}

export const portSchema = z.coerce.number().int().min(1).max(65535);

/** `host:port[,host:port…]`, validated so a typo fails at boot rather than as a connection timeout later. */
export const brokerListSchema = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((broker) => broker.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^[A-Za-z0-9.\-_]+:\d{1,5}$/, 'expected host:port')).min(1));
