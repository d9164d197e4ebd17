import { Body, HttpCode, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentCaller, type Caller } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import { ConsentRoute } from '../../consents/consent.http.js';
import { NoticeCommands } from '../notice-commands.service.js';
import { noticeLanguage, noticeMetadata, noticeVersionView, type NoticeVersionView } from '../notice.http.js';

const text = (max: number) => z.string().trim().min(1).max(max);
// `lang` is checked apart, so an unsupported language has its own code rather than the generic REQUEST_INVALID.
const draftBody = z
  .object({
    lang: z.string(),
    controller: text(2000),
    dpoContact: text(1000),
    retention: text(8000),
    recipients: text(8000),
    processors: text(8000),
    rights: text(16000),
  })
  .strict();

@ConsentRoute()
export class DraftNoticeRoute {
  constructor(private readonly commands: NoticeCommands) {}

  @RequirePermissions('notices:publish')
  @Post('privacy-notices')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Draft a privacy-notice version: `{ lang: pl|en, controller, dpoContact, retention, recipients, processors, rights }`; purposes and bases come from the catalogue',
  })
  async draft(@Body() body: unknown, @CurrentCaller() caller: Caller): Promise<NoticeVersionView> {
    const { lang, ...texts } = validate(draftBody, body);
    const language = noticeLanguage(lang);
    const outcome = await this.commands.execute({ type: 'DraftNotice', lang: language, texts, actorId: caller.auth.sub }, noticeMetadata(caller));
    return noticeVersionView(outcome.state.versions.at(-1)!);
  }
}
