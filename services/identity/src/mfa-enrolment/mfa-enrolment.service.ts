import { Inject, Injectable } from '@nestjs/common';
import { fromBinary, SealedFieldSchema, toBinary } from '@crm/contracts';
import { sealedFieldFromProto, sealedFieldToProto, type FieldCipher } from '@crm/crypto';
import type { CommandPipeline } from '@crm/eventstore';
import { AppError } from '@crm/http';
import { CLOCK, COMMAND_PIPELINE, FIELD_CIPHER, type Clock } from '@crm/platform';
import { REDIS, type Redis } from '@crm/redis';
import { AccountsRepository } from '../accounts/accounts.repository.js';
import { AccountWriteModel } from '../accounts/account.write-model.js';
import { identityMetadata } from '../accounts/identity.events.js';
import { TOTP_FIELD } from '../authentication/authentication.service.js';
import {
  generateRecoveryCodes,
  generateTotpSecret,
  hashRecoveryCode,
  mfaCodeInvalidError,
  mfaCodeReplayedError,
  otpauthUri,
  totpQrSvg,
  TotpReplayGuard,
  verifyTotp,
} from '../mfa/index.js';
import { IDENTITY_CONFIG } from '../identity.tokens.js';
import type { IdentityConfig } from '../identity.config.js';

export interface TotpEnrolment {
  secret: string;
  otpauthUrl: string;
  qrCode: string;
}

/** Enrolment keeps the new secret *pending* (sealed under the user's key) until a code proves the app has it. */
@Injectable()
export class MfaEnrolmentService {
  readonly #replays: TotpReplayGuard;

  constructor(
    private readonly accounts: AccountsRepository,
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
    @Inject(COMMAND_PIPELINE) private readonly pipeline: CommandPipeline,
    private readonly model: AccountWriteModel,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(REDIS) redis: Redis,
  ) {
    this.#replays = new TotpReplayGuard(redis);
  }

  async start(userId: string): Promise<TotpEnrolment> {
    const account = await this.accounts.byId(userId);
    if (account === undefined) throw new AppError('USER_NOT_FOUND', 'not_found', 'no such user');
    if (account.mfa_enrolled) throw new AppError('MFA_ALREADY_ENROLLED', 'conflict', 'a second factor is enrolled already; an administrator can reset it');
    const secret = generateTotpSecret();
    const sealed = await this.cipher.seal(userId, TOTP_FIELD, secret.bytes);
    await this.accounts.setPendingTotp(this.accounts.pool, userId, Buffer.from(toBinary(SealedFieldSchema, sealedFieldToProto(sealed))));
    // The account name shown in the authenticator app is the user id, not the e-mail: the QR code may be screenshotted.
    const otpauthUrl = otpauthUri({ issuer: this.config.totpIssuer, accountName: userId, secret: secret.bytes });
    return { secret: secret.base32, otpauthUrl, qrCode: await totpQrSvg(otpauthUrl) };
  }

  async confirm(userId: string, code: string, correlationId: string): Promise<{ recoveryCodes: string[] }> {
    const credentials = await this.accounts.credentials(userId);
    if (credentials?.totp_pending_sealed == null) throw new AppError('MFA_ENROLMENT_NOT_STARTED', 'conflict', 'start the enrolment first');
    const secret = await this.cipher.open(userId, TOTP_FIELD, sealedFieldFromProto(fromBinary(SealedFieldSchema, credentials.totp_pending_sealed)));
    const verdict = verifyTotp(secret, code.trim(), Math.floor(this.clock().getTime() / 1000), { window: 1 });
    if (!verdict.valid) throw mfaCodeInvalidError();
    if (!(await this.#replays.claim(userId, verdict.timeStep))) throw mfaCodeReplayedError();
    const recoveryCodes = generateRecoveryCodes();
    const hashes = await Promise.all(recoveryCodes.map((recoveryCode) => hashRecoveryCode(recoveryCode)));
    await this.pipeline.execute(this.model, { type: 'ConfirmMfaEnrolment', userId, recoveryCodeHashes: hashes }, identityMetadata(userId, correlationId));
    return { recoveryCodes };
  }
}
