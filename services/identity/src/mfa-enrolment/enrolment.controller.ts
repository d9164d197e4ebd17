import { Body, Controller, Headers, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { identityApi, type ResponseOf } from '@crm/api-contract';
import type { Secret } from '@crm/config';
import { AppError, correlationId, forwardedClientAddress, Public, validate } from '@crm/http';
import { GATEWAY_FORWARDING_SECRET } from '../identity.tokens.js';
import { AuthenticationService } from '../authentication/authentication.service.js';
import { MfaEnrolmentService } from './mfa-enrolment.service.js';

/**
 * TOTP enrolment. Open to two kinds of caller, hence `@Public()` with the check done here: a user who just proved
 * their password but must enrol before anything else (enrolment token), or a signed-in user (access token).
 */
@ApiTags('mfa')
@Controller('v1/me/mfa/totp')
export class EnrolmentController {
  constructor(
    private readonly enrolment: MfaEnrolmentService,
    private readonly authentication: AuthenticationService,
    @Inject(GATEWAY_FORWARDING_SECRET) private readonly forwarding: Secret,
  ) {}

  @Public()
  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Start TOTP enrolment: a new secret, its otpauth:// URI and a QR code (SVG)' })
  async start(
    @Body() body: unknown,
    @Headers('authorization') authorization: string | undefined,
    @Req() request: Request,
  ): Promise<ResponseOf<typeof identityApi.startTotpEnrolment>> {
    const { enrollmentToken, currentPassword } = validate(identityApi.startTotpEnrolment.request, body ?? {});
    const userId = await this.authentication.callerOf(enrollmentToken, authorization, 'enroll');
    // With an access token alone, a stolen session could bind the thief's authenticator: the password is asked again.
    if (enrollmentToken === undefined) {
      if (currentPassword === undefined) {
        throw new AppError('PASSWORD_CONFIRMATION_REQUIRED', 'invalid', 'enrolling with an access token needs the current password', {
          details: { field: 'currentPassword' },
        });
      }
      await this.authentication.confirmPassword(userId, currentPassword, forwardedClientAddress(request, this.forwarding.reveal()));
    }
    return this.enrolment.start(userId);
  }

  @Public()
  @Post('confirm')
  @HttpCode(200)
  @ApiOperation({ summary: 'Confirm TOTP enrolment with a code; answers single-use recovery codes, shown once' })
  async confirm(
    @Body() body: unknown,
    @Headers('authorization') authorization: string | undefined,
    @Req() request: Request,
  ): Promise<ResponseOf<typeof identityApi.confirmTotpEnrolment>> {
    const { code, enrollmentToken } = validate(identityApi.confirmTotpEnrolment.request, body);
    return this.enrolment.confirm(await this.authentication.callerOf(enrollmentToken, authorization, 'enroll'), code, correlationId(request));
  }
}
