import { Inject, Injectable } from '@nestjs/common';
import { JWT_VERIFIER, type AccessTokenClaims, type AuthenticationMethod, type JwtVerifier } from '@crm/auth';
import { fromBinary, LoginFailedSchema, LoginFailureReason, LoginSucceededSchema, MfaMethod, MfaUsedSchema, SealedFieldSchema } from '@crm/contracts';
import { sealedFieldFromProto, type BlindIndexer, type FieldCipher } from '@crm/crypto';
import type { CommandPipeline } from '@crm/eventstore';
import { AppError } from '@crm/http';
import { BLIND_INDEXER, CLOCK, COMMAND_PIPELINE, FIELD_CIPHER, type Clock } from '@crm/platform';
import { withTransaction } from '@crm/postgres';
import { REDIS, type Redis } from '@crm/redis';
import { AccountsRepository, type AccountRow } from '../accounts/accounts.repository.js';
import { EMAIL_INDEX } from '../accounts/account.write-model.js';
import { RoleCatalogueReader } from '../accounts/role-catalogue.js';
import { identityEvent, identityMetadata, recordAuthEvent } from '../accounts/identity.events.js';
import type { IdentityConfig } from '../identity.config.js';
import { IDENTITY_CONFIG, PASSWORD_HASHER, PASSWORD_POLICY } from '../identity.tokens.js';
import { loadLoginThrottleSettings, loginFailedError, loginRefusedError, LoginThrottle } from '../login-throttling/index.js';
import { matchRecoveryCode, MfaAttemptLimiter, mfaCodeInvalidError, mfaCodeReplayedError, TotpReplayGuard, verifyTotp } from '../mfa/index.js';
import { isPasswordExpired, type PasswordHasher, type PasswordPolicy } from '../passwords/index.js';
import { AccessTokenIssuer, RefreshTokenStore, SigningKeyStore } from '../tokens/index.js';
import { ChallengeTokens, type ChallengePurpose } from './challenge-tokens.js';
import { isOneTimePasswordExpired, nextSignInStep } from './sign-in-step.decision.js';

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

export type LoginOutcome =
  | Tokens
  | { mfaRequired: true; mfaToken: string }
  | { mfaEnrollmentRequired: true; enrollmentToken: string }
  | { passwordChangeRequired: true; passwordChangeToken: string };

const TOTP_CODE = /^\d{6}$/;
export const TOTP_FIELD = 'identity.credentials.totpSecret';

/**
 * Sign-in (password, then the second factor), refresh and logout. Every decision becomes an event for the audit
 * trail; none of them carries the e-mail typed in or any credential.
 */
@Injectable()
export class AuthenticationService {
  readonly #throttle: LoginThrottle;
  readonly #mfaAttempts: MfaAttemptLimiter;
  readonly #replays: TotpReplayGuard;
  readonly challenges: ChallengeTokens;

  constructor(
    private readonly accounts: AccountsRepository,
    private readonly roles: RoleCatalogueReader,
    private readonly issuer: AccessTokenIssuer,
    private readonly refreshTokens: RefreshTokenStore,
    keys: SigningKeyStore,
    @Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @Inject(PASSWORD_POLICY) private readonly passwordPolicy: PasswordPolicy,
    @Inject(BLIND_INDEXER) private readonly indexer: BlindIndexer<string>,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(COMMAND_PIPELINE) private readonly pipeline: CommandPipeline,
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
    @Inject(REDIS) redis: Redis,
    @Inject(JWT_VERIFIER) private readonly verifier: JwtVerifier,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
  ) {
    this.#throttle = new LoginThrottle(redis, loadLoginThrottleSettings());
    this.#mfaAttempts = new MfaAttemptLimiter(redis);
    this.#replays = new TotpReplayGuard(redis);
    this.challenges = new ChallengeTokens(keys, clock, redis);
  }

  /**
   * Who is calling a route open to two kinds of caller: a user holding the challenge token of a sign-in step
   * (enrolment, expired password) or a signed-in user with an access token. A challenge token, when sent, wins.
   */
  async callerOf(challengeToken: string | undefined, authorization: string | undefined, purpose: ChallengePurpose): Promise<string> {
    const bearer = /^Bearer +(\S+)$/i.exec(authorization ?? '')?.[1];
    if (challengeToken !== undefined || bearer === undefined) return this.challenges.verify(challengeToken, purpose);
    return (await this.verifier.verify(bearer)).sub;
  }

  /**
   * The signed-in user's password, asked again before a change that could take the account over (a new password,
   * a new authenticator). Guesses count against the same lock and address budget as sign-ins: a stolen session
   * must not become an unthrottled password oracle.
   */
  async confirmPassword(userId: string, password: string, clientAddress: string): Promise<void> {
    const account = await this.accounts.byId(userId);
    const credentials = account === undefined ? undefined : await this.accounts.credentials(userId);
    if (account === undefined || credentials === undefined) throw passwordCurrentInvalid();
    await this.#throttle.checkOrThrow(account.email_index, clientAddress);
    if (!(await this.hasher.verify(credentials.password_hash, password))) {
      await this.#throttle.recordFailure(account.email_index, clientAddress);
      throw passwordCurrentInvalid();
    }
    await this.#throttle.recordSuccess(account.email_index);
  }

  async login(email: string, password: string, clientAddress: string, correlationId: string): Promise<LoginOutcome> {
    const accountKey = this.indexer.blindIndex(EMAIL_INDEX, email);
    const decision = await this.#throttle.check(accountKey, clientAddress);
    if (!decision.allowed) {
      const reason = decision.reason === 'address_rate_limited' ? LoginFailureReason.RATE_LIMITED : LoginFailureReason.LOCKED;
      await recordAuthEvent(this.pipeline, identityEvent(LoginFailedSchema, { userId: '', reason }, ''), identityMetadata('anonymous', correlationId));
      throw loginRefusedError(decision);
    }
    const account = await this.accounts.byEmailIndex(accountKey);
    const credentials = account === undefined ? undefined : await this.accounts.credentials(account.user_id);
    // An unknown account costs the same hashing time as a wrong password: response time must not tell them apart.
    const valid = credentials === undefined ? await this.hasher.verifyAgainstDummy(password) : await this.hasher.verify(credentials.password_hash, password);
    // A disabled account gets the answer of a wrong password (no hint that the password was right).
    if (!valid || account === undefined || account.disabled_at !== null) {
      await this.#throttle.recordFailure(accountKey, clientAddress);
      await recordAuthEvent(
        this.pipeline,
        identityEvent(LoginFailedSchema, { userId: account?.user_id ?? '', reason: LoginFailureReason.BAD_CREDENTIALS }, account?.user_id ?? ''),
        identityMetadata(account?.user_id ?? 'anonymous', correlationId),
      );
      throw loginFailedError();
    }
    const now = this.clock();
    const step = nextSignInStep({
      oneTimePasswordExpired: isOneTimePasswordExpired(credentials!.one_time_password_issued_at, now, this.config.oneTimePasswordTtlSeconds),
      passwordChangeRequired: credentials!.password_change_required,
      // Maximum password age is business policy (off by default, NIST 800-63B §5.1.1.2 advises against it).
      passwordExpired: isPasswordExpired(this.passwordPolicy, credentials!.password_changed_at, now),
      mfaEnrolled: account.mfa_enrolled,
      secondFactorRequired: await this.roles.mfaRequiredFor(account.roles),
    });
    if (step === 'one-time-password-expired') {
      // Not a working credential any more: it counts as a failure (it neither clears the account's failures nor is a
      // free guess) and is recorded as one; the answer differs from LOGIN_FAILED only for whoever typed that very
      // password, the holder or the administrator who reset it, who learn that a new reset is needed.
      await this.#throttle.recordFailure(accountKey, clientAddress);
      await recordAuthEvent(
        this.pipeline,
        identityEvent(LoginFailedSchema, { userId: account.user_id, reason: LoginFailureReason.BAD_CREDENTIALS }, account.user_id),
        identityMetadata(account.user_id, correlationId),
      );
      throw oneTimePasswordExpiredError();
    }
    await this.#throttle.recordSuccess(accountKey);
    // Hashing parameters raised since this hash was made: the password is at hand, so store it under the new ones.
    if (this.hasher.needsRehash(credentials!.password_hash)) {
      await this.accounts.upgradePasswordHash(account.user_id, credentials!.password_hash, await this.hasher.hash(password));
    }
    switch (step) {
      case 'change-password':
        // A challenge token, not an access token: it is good for POST /v1/me/password only.
        return { passwordChangeRequired: true, passwordChangeToken: await this.challenges.issue(account.user_id, 'password') };
      case 'second-factor':
        return { mfaRequired: true, mfaToken: await this.challenges.issue(account.user_id, 'mfa') };
      case 'enrol-second-factor':
        return { mfaEnrollmentRequired: true, enrollmentToken: await this.challenges.issue(account.user_id, 'enroll') };
      case 'session':
        return this.startSession(account, ['pwd'], undefined, correlationId);
    }
  }

  async completeMfa(mfaToken: unknown, code: string, correlationId: string): Promise<Tokens> {
    const userId = await this.challenges.verify(mfaToken, 'mfa');
    const account = await this.accounts.byId(userId);
    if (account === undefined || account.disabled_at !== null) throw mfaCodeInvalidError();
    // A TOTP code meets the hard lock; a recovery code does not (it is how the user unlocks).
    const kind = TOTP_CODE.test(code.trim()) ? 'totp' : 'recovery';
    await this.#mfaAttempts.consumeOrThrow(userId, kind);
    const method = await this.checkSecondFactor(account, code);
    if (method === undefined) {
      await recordAuthEvent(
        this.pipeline,
        identityEvent(LoginFailedSchema, { userId, reason: LoginFailureReason.SECOND_FACTOR }, userId),
        identityMetadata(userId, correlationId),
      );
      throw mfaCodeInvalidError();
    }
    await this.#mfaAttempts.recordSuccess(userId, kind);
    // One session per sign-in: the challenge is spent with its first success.
    await this.challenges.consume(mfaToken, 'mfa');
    await recordAuthEvent(
      this.pipeline,
      identityEvent(MfaUsedSchema, { userId, method: method === 'otp' ? MfaMethod.TOTP : MfaMethod.RECOVERY_CODE }, userId),
      identityMetadata(userId, correlationId),
    );
    return this.startSession(account, ['pwd', method], this.clock(), correlationId);
  }

  /** A TOTP code (once per time step) or an unused recovery code (consumed in the same transaction that checks it). */
  private async checkSecondFactor(account: AccountRow, code: string): Promise<'otp' | 'rec' | undefined> {
    const trimmed = code.trim();
    if (TOTP_CODE.test(trimmed)) {
      const credentials = await this.accounts.credentials(account.user_id);
      if (credentials?.totp_secret_sealed == null) return undefined;
      const secret = await this.cipher.open(account.user_id, TOTP_FIELD, sealedFieldFromProto(fromBinary(SealedFieldSchema, credentials.totp_secret_sealed)));
      const verdict = verifyTotp(secret, trimmed, Math.floor(this.clock().getTime() / 1000), { window: 1 });
      if (!verdict.valid) return undefined;
      if (!(await this.#replays.claim(account.user_id, verdict.timeStep))) throw mfaCodeReplayedError();
      return 'otp';
    }
    return withTransaction(this.accounts.pool, async (tx) => {
      const credentials = await this.accounts.credentialsForUpdate(tx, account.user_id);
      if (credentials === undefined) return undefined;
      const index = await matchRecoveryCode(trimmed, credentials.recovery_code_hashes);
      if (index < 0) return undefined;
      await this.accounts.setRecoveryCodes(
        tx,
        account.user_id,
        credentials.recovery_code_hashes.filter((_, i) => i !== index),
      );
      return 'rec' as const;
    });
  }

  async refresh(refreshToken: unknown): Promise<Tokens> {
    if (typeof refreshToken !== 'string' || refreshToken.length > 512) {
      throw new AppError('REFRESH_TOKEN_INVALID', 'unauthenticated', 'the refresh token is not valid');
    }
    const rotated = await this.refreshTokens.rotate(refreshToken);
    const account = await this.accounts.byId(rotated.userId);
    // Disabling ends the sessions already; this also refuses a rotation that raced the disabling.
    if (account === undefined || account.disabled_at !== null) throw new AppError('REFRESH_TOKEN_INVALID', 'unauthenticated', 'the refresh token is not valid');
    const accessToken = await this.issuer.issue({
      userId: account.user_id,
      roles: account.roles,
      permissions: await this.roles.permissionsOf(account.roles),
      amr: rotated.amr,
      mfaAt: rotated.mfaAt,
      sessionId: rotated.sessionId,
      // Judged again at every refresh: a revoked exemption ends password-only access within one token lifetime.
      mfaExempt: (await this.roles.secondFactorFor(account.roles)) === 'exempt',
    });
    return { accessToken, refreshToken: rotated.refreshToken, tokenType: 'Bearer', expiresIn: this.issuer.lifetimeSeconds };
  }

  /** The session ends everywhere; the `SessionRevoked` event is written by the token store, as for every revocation. */
  async logout(claims: AccessTokenClaims): Promise<void> {
    await this.refreshTokens.revokeSession(claims.sid, 'logout');
  }

  private async startSession(account: AccountRow, amr: AuthenticationMethod[], mfaAt: Date | undefined, correlationId: string): Promise<Tokens> {
    const session = await this.refreshTokens.startSession(account.user_id, { amr, mfaAt });
    const accessToken = await this.issuer.issue({
      userId: account.user_id,
      roles: account.roles,
      permissions: await this.roles.permissionsOf(account.roles),
      amr,
      mfaAt,
      sessionId: session.sessionId,
      mfaExempt: (await this.roles.secondFactorFor(account.roles)) === 'exempt',
    });
    await recordAuthEvent(
      this.pipeline,
      identityEvent(LoginSucceededSchema, { userId: account.user_id, sessionId: session.sessionId, methods: amr }, account.user_id),
      identityMetadata(account.user_id, correlationId),
    );
    return { accessToken, refreshToken: session.refreshToken, tokenType: 'Bearer', expiresIn: this.issuer.lifetimeSeconds };
  }
}

function passwordCurrentInvalid(): AppError {
  return new AppError('PASSWORD_CURRENT_INVALID', 'invalid', 'the current password is not correct', { details: { field: 'currentPassword' } });
}

/**
 * The one-time password of a reset, right but past its life (ASVS 5.0 6.4.1): it opens nothing, not even the change;
 * the holder asks for a new reset. Only whoever typed that password (its holder, the administrator who reset it) gets
 * this answer; anyone else gets LOGIN_FAILED as for every wrong password.
 */
function oneTimePasswordExpiredError(): AppError {
  return new AppError('ONE_TIME_PASSWORD_EXPIRED', 'unauthenticated', 'this one-time password has expired; ask an administrator for a new password reset');
}
