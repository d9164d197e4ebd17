import { HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { consentApi, type ResponseOf } from '@crm/api-contract';
import { CurrentCaller, RequireStepUp, type Caller } from '@crm/auth';
import { RequirePermissions } from '@crm/http';
import { consentError } from '../../consents/consent.errors.js';
import { ConsentRoute } from '../../consents/consent.http.js';
import { NoticeCommands } from '../notice-commands.service.js';
import { noticeMetadata, noticeVersionView } from '../notice.http.js';
import { parseNoticeVersion } from '../notice.streams.js';

@ConsentRoute()
export class PublishNoticeRoute {
  constructor(private readonly commands: NoticeCommands) {}

  @RequirePermissions('notices:publish')
  @RequireStepUp()
  @Post('privacy-notices/:version/publication')
  @HttpCode(200)
  @ApiOperation({ summary: 'Publish a drafted privacy-notice version (immutable from then on, its content hash recorded); needs a fresh second factor' })
  async publish(@Param('version') name: string, @CurrentCaller() caller: Caller): Promise<ResponseOf<typeof consentApi.publishNotice>> {
    const parsed = parseNoticeVersion(name);
    if (parsed === undefined) throw consentError('NOTICE_VERSION_UNKNOWN', 'no privacy notice of that name (versions are `<lang>-<number>`)');
    const outcome = await this.commands.execute({ type: 'PublishNotice', ...parsed, actorId: caller.auth.sub }, noticeMetadata(caller));
    return noticeVersionView(outcome.state.versions[parsed.number - 1]!);
  }
}
