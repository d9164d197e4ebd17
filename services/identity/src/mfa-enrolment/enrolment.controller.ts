import { Body, Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { correlationId, Public, validate } from '@crm/http';
import { AuthenticationService } from '../authentication/authentication.service.js';
import { MfaEnrolmentService, type TotpEnrolment } from './mfa-enrolment.service.js';

const startBody = z.object({ enrollmentToken: z.string().min(1).max(4096).optional() }).strict();
const confirmBody = z.object({ code: z.string().min(1).max(16), enrollmentToken: z.string().min(1).max(4096).optional() }).strict();

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
  ) {}

  @Public()
  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Start TOTP enrolment: a new secret, its otpauth:// URI and a QR code (SVG)' })
  async start(@Body() body: unknown, @Headers('authorization') authorization: string | undefined): Promise<TotpEnrolment> {
    const { enrollmentToken } = validate(startBody, body ?? {});
    return this.enrolment.start(await this.authentication.callerOf(enrollmentToken, authorization, 'enroll'));
  }

  @Public()
  @Post('confirm')
  @HttpCode(200)
  @ApiOperation({ summary: 'Confirm TOTP enrolment with a code; answers single-use recovery codes, shown once' })
  async confirm(
    @Body() body: unknown,
    @Headers('authorization') authorization: string | undefined,
    @Req() request: Request,
  ): Promise<{ recoveryCodes: string[] }> {
    const { code, enrollmentToken } = validate(confirmBody, body);
    return this.enrolment.confirm(await this.authentication.callerOf(enrollmentToken, authorization, 'enroll'), code, correlationId(request));
  }
}
