import { Inject, Injectable, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { RedisRevocationList } from '@crm/auth';
import { PG_POOL, type Pool } from '@crm/postgres';
import type { CommandPipeline } from '@crm/eventstore';
import { CLOCK, COMMAND_PIPELINE, type Clock } from '@crm/platform';
import { REDIS, type Redis } from '@crm/redis';
import { recordSessionsRevoked } from './refresh-tokens/session-revoked.events.js';
import { AccessTokenIssuer } from './access-tokens/access-token.issuer.js';
import { JwksController } from './jwks/jwks.controller.js';
import { RefreshTokenStore } from './refresh-tokens/refresh-token.store.js';
import { SigningKeyStore } from './signing-keys/signing-key.store.js';
import type { TokensConfig } from './tokens.config.js';

/** The module's `TokensConfig`, for the identity controllers: `@Inject(TOKENS_CONFIG) config: TokensConfig`. */
export const TOKENS_CONFIG = Symbol('TOKENS_CONFIG');

/** Fails the boot, not the first sign-in, when the table cannot be created or the key directory is not writable. */
@Injectable()
class TokensBootstrap implements OnModuleInit {
  constructor(
    private readonly keys: SigningKeyStore,
    private readonly refreshTokens: RefreshTokenStore,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.keys.current();
  }
}

/** Signing keys age out: checked at boot and every hour (the timer never keeps the process alive). */
@Injectable()
class SigningKeyRotation implements OnApplicationBootstrap, OnApplicationShutdown {
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly keys: SigningKeyStore,
    @Inject(TOKENS_CONFIG) private readonly config: TokensConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.keys.rotateIfOlderThan(this.config.signingKeyMaxAgeSeconds);
    this.#timer = setInterval(() => {
      void this.keys.rotateIfOlderThan(this.config.signingKeyMaxAgeSeconds).catch(() => undefined);
    }, 3_600_000);
    this.#timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.#timer);
  }
}

/**
 * Token issuing for the identity service: signing keys and the JWKS endpoint, access tokens, refresh tokens.
 * Needs the platform's global Postgres (`PG_POOL`, identity's database) and Redis (`REDIS`) modules.
 */
@Module({})
export class TokensModule {
  static register(config: TokensConfig): DynamicModule {
    return {
      module: TokensModule,
      controllers: [JwksController],
      providers: [
        { provide: TOKENS_CONFIG, useValue: config },
        {
          provide: SigningKeyStore,
          inject: [CLOCK],
          useFactory: (clock: Clock) =>
            new SigningKeyStore({
              directory: SigningKeyStore.directoryFor(config.stateDir),
              accessTokenLifetimeSeconds: config.accessTokenLifetimeSeconds,
              now: clock,
            }),
        },
        {
          provide: AccessTokenIssuer,
          inject: [SigningKeyStore, CLOCK],
          useFactory: (keys: SigningKeyStore, clock: Clock) =>
            new AccessTokenIssuer(keys, { issuer: config.issuer, audience: config.audience, lifetimeSeconds: config.accessTokenLifetimeSeconds, now: clock }),
        },
        {
          provide: RefreshTokenStore,
          // The write path is optional so the module also runs alone (its tests); in the service it is always there.
          inject: [PG_POOL, REDIS, CLOCK, { token: COMMAND_PIPELINE, optional: true }],
          useFactory: (pool: Pool, redis: Redis, clock: Clock, pipeline: CommandPipeline | undefined) =>
            new RefreshTokenStore({
              ...(pipeline === undefined ? {} : { onRevoked: (sessions, reason) => recordSessionsRevoked(pipeline, sessions, reason) }),
              pool,
              revocations: new RedisRevocationList(redis),
              schema: config.schema,
              accessTokenLifetimeSeconds: config.accessTokenLifetimeSeconds,
              idleLifetimeSeconds: config.refreshIdleLifetimeSeconds,
              absoluteLifetimeSeconds: config.refreshAbsoluteLifetimeSeconds,
              now: clock,
            }),
        },
        TokensBootstrap,
        SigningKeyRotation,
      ],
      exports: [TOKENS_CONFIG, SigningKeyStore, AccessTokenIssuer, RefreshTokenStore],
    };
  }
}
