import { Body, HttpCode, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentCaller, type Caller } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import { ConsentRoute } from '../../consents/consent.http.js';
import { PURPOSES } from '../../purposes/purpose.catalogue.js';
import { RegisterView } from '../../register/register-view.repository.js';
import { noticeRegister } from '../notice-register.js';
import { NoticeCommands } from '../notice-commands.service.js';
import { noticeLanguage, noticeMetadata, noticeVersionView, type NoticeVersionView } from '../notice.http.js';

const text = (max: number) => z.string().trim().min(1).max(max);
/** Retention, recipients and processors come from the register per purpose; the DPO may add a text to each. */
const addition = (max: number) => z.string().trim().max(max).default('');
// `lang` is checked apart, so an unsupported language has its own code rather than the generic REQUEST_INVALID.
const draftBody = z
  .object({
    lang: z.string(),
    controller: text(2000),
    dpoContact: text(1000),
    retention: addition(8000),
    recipients: addition(8000),
    processors: addition(8000),
    rights: text(16000),
  })
  .strict();

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
  async draft(@Body() body: unknown, @CurrentCaller() caller: Caller): Promise<NoticeVersionView> {
    const { lang, ...texts } = validate(draftBody, body);
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
