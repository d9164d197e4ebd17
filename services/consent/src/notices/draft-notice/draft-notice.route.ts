import { Body, HttpCode, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { consentApi, type ResponseOf } from '@crm/api-contract';
import { CurrentCaller, type Caller } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import { ConsentRoute } from '../../consents/consent.http.js';
import { PURPOSES } from '../../purposes/purpose.catalogue.js';
import { RegisterView } from '../../register/register-view.repository.js';
import { noticeRegister } from '../notice-register.js';
import { NoticeCommands } from '../notice-commands.service.js';
import { noticeLanguage, noticeMetadata, noticeVersionView } from '../notice.http.js';

@ConsentRoute()
export class DraftNoticeRoute {
  constructor(
    private readonly commands: NoticeCommands,
    private readonly registerView: RegisterView,
  ) {}

  @RequirePermissions('notices:publish')
  @Post('privacy-notices')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Draft a privacy-notice version: `{ lang: pl|en, controller, dpoContact, rights, retention?, recipients?, processors? }`; purposes and bases come from the catalogue, and per purpose the retention, recipients, processors and transfers from the approved activities of the Art. 30 register (the optional texts are additions)',
  })
  async draft(@Body() body: unknown, @CurrentCaller() caller: Caller): Promise<ResponseOf<typeof consentApi.draftNotice>> {
    const { lang, ...texts } = validate(consentApi.draftNotice.request, body);
    const language = noticeLanguage(lang);
    const { activities, processors } = await this.registerView.snapshot();
    const register = noticeRegister(
      PURPOSES.map((purpose) => purpose.code),
      activities,
      processors,
    );
    const outcome = await this.commands.execute({ type: 'DraftNotice', lang: language, texts, register, actorId: caller.auth.sub }, noticeMetadata(caller));
    return noticeVersionView(outcome.state.versions.at(-1)!);
  }
}
