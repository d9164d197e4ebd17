import { z } from 'zod';
import { CRM_TOKEN_AUDIENCE, CRM_TOKEN_ISSUER } from '@crm/auth';
import { loadConfig, type Env, type PlatformConfig } from '@crm/config';

export interface TokensConfig {
  /** Platform state directory; signing keys live in `<stateDir>/secrets/jwt/`. */
  stateDir: string;
  /** Postgres schema of the refresh-token table (in identity's database). */
  schema: string;
  issuer: string;
  audience: string;
  accessTokenLifetimeSeconds: number;
  /** A refresh token unused for this long is dead (the session went idle). */
  refreshIdleLifetimeSeconds: number;
  /** No session outlives this, however often it is refreshed: the user signs in again. */
  refreshAbsoluteLifetimeSeconds: number;
  /** A signing key older than this is rotated out (default 30 days). */
  signingKeyMaxAgeSeconds: number;
}

const DAY = 24 * 60 * 60;

const tokensEnvSchema = z
  .object({
    // Short by design (docs/tokens.md): an access token cannot be recalled except through the revocation list, so its
    // lifetime bounds the damage of a leaked one. Verifiers refuse tokens older than an hour whatever `exp` says.
    CRM_ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(600),
    CRM_REFRESH_TOKEN_IDLE_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(300)
      .max(30 * DAY)
      .default(DAY),
    CRM_REFRESH_TOKEN_ABSOLUTE_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(300)
      .max(90 * DAY)
      .default(14 * DAY),
    CRM_JWT_SIGNING_KEY_MAX_AGE_SECONDS: z.coerce
      .number()
      .int()
      .min(3600)
      .max(365 * DAY)
      .default(30 * DAY),
  })
  .refine((env) => env.CRM_REFRESH_TOKEN_ABSOLUTE_TTL_SECONDS >= env.CRM_REFRESH_TOKEN_IDLE_TTL_SECONDS, {
    path: ['CRM_REFRESH_TOKEN_ABSOLUTE_TTL_SECONDS'],
    message: 'must not be shorter than CRM_REFRESH_TOKEN_IDLE_TTL_SECONDS',
  })
  .refine((env) => env.CRM_REFRESH_TOKEN_IDLE_TTL_SECONDS > env.CRM_ACCESS_TOKEN_TTL_SECONDS, {
    path: ['CRM_REFRESH_TOKEN_IDLE_TTL_SECONDS'],
    message: 'must be longer than CRM_ACCESS_TOKEN_TTL_SECONDS',
  });

/** Token settings, validated once at boot like the rest of the configuration, so a bad value stops the start. */
export function loadTokensConfig(platform: Pick<PlatformConfig, 'stateDir'>, env: Env = process.env, options: { schema?: string } = {}): TokensConfig {
  const parsed = loadConfig(tokensEnvSchema, env);
  return {
    stateDir: platform.stateDir,
    schema: options.schema ?? 'identity',
    issuer: CRM_TOKEN_ISSUER,
    audience: CRM_TOKEN_AUDIENCE,
    accessTokenLifetimeSeconds: parsed.CRM_ACCESS_TOKEN_TTL_SECONDS,
    refreshIdleLifetimeSeconds: parsed.CRM_REFRESH_TOKEN_IDLE_TTL_SECONDS,
    refreshAbsoluteLifetimeSeconds: parsed.CRM_REFRESH_TOKEN_ABSOLUTE_TTL_SECONDS,
    signingKeyMaxAgeSeconds: parsed.CRM_JWT_SIGNING_KEY_MAX_AGE_SECONDS,
  };
}
