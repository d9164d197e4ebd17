import { Get, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { isCryptoError } from '@crm/crypto';
import { CurrentCaller, RequireStepUp, type Caller } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import { CLOCK, type Clock } from '@crm/platform';
import { ConsentAccessRecorder } from '../../access-recording/consent-access.recorder.js';
import { ConsentRoute } from '../../consents/consent.http.js';
import { RequestOutputs } from '../request-outputs/request-outputs.repository.js';
import { PACKAGE_CONTENT_SECURITY_POLICY } from '../request-outputs/subject-package.js';
import { requestError } from '../request.errors.js';
import { requestMetadata } from '../request.http.js';
import { isRequestId } from '../request.streams.js';

const downloadQuery = z.object({ format: z.enum(['json', 'html', 'csv']).default('json') }).strict();

/**
 * The DPO downloads what a completed access or portability request produced, to send to the person. The file is
 * opened from its sealed copy only here, and only until it expires (then it is deleted by the deadline sweep, and
 * answers 410 meanwhile); once the contact is erased it cannot be opened at all. Each download that hands the file
 * out is recorded as a `SubjectRequestPackageDownloaded` access event (audit trail) before the answer leaves.
 */
@ConsentRoute()
export class DownloadPackageRoute {
  constructor(
    private readonly outputs: RequestOutputs,
    private readonly access: ConsentAccessRecorder,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @RequirePermissions('requests:manage')
  @RequireStepUp()
  @Get('requests/:id/package')
  @ApiOperation({
    summary:
      "Download a completed access (`?format=json|html`) or portability (`?format=json|csv`) request's package, until it expires; needs requests:manage and a fresh second factor",
  })
  async download(
    @Param('id') id: string,
    @Query() query: unknown,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    const { format } = validate(downloadQuery, query);
    const file = isRequestId(id) ? await this.outputs.packageFile(id, format) : undefined;
    if (file === undefined) throw requestError('REQUEST_PACKAGE_NOT_FOUND', 'no package of this request in this format', { details: { format } });
    if (file.expiresAt.getTime() <= this.clock().getTime()) {
      throw requestError('REQUEST_PACKAGE_EXPIRED', 'the package of this request has expired', { details: { expiresAt: file.expiresAt.toISOString() } });
    }
    let content: string;
    try {
      content = await file.open();
    } catch (error) {
      if (isCryptoError(error, 'KEY_SHREDDED')) throw requestError('REQUEST_CONTACT_ERASED', 'the contact of this request has been erased', { cause: error });
      throw error;
    }
    await this.access.packageDownloaded(requestMetadata(caller), { requestId: id, contactId: file.contactId, format });
    response.setHeader('content-type', file.contentType);
    response.setHeader('content-disposition', `attachment; filename="request-${id}.${format}"`);
    response.setHeader('cache-control', 'no-store');
    response.setHeader('expires', file.expiresAt.toUTCString());
    if (format === 'html') response.setHeader('content-security-policy', PACKAGE_CONTENT_SECURITY_POLICY);
    return content;
  }
}
