import { Get, Headers, Param, Query, Res } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@crm/http';
import { ConsentRoute } from '../../consents/consent.http.js';
import { NoticeStates } from '../notice-states.repository.js';
import { noticeLanguage, publishedNoticeView, type PublishedNoticeView } from '../notice.http.js';
import type { NoticeVersionState } from '../notice.decider.js';
import { currentNotice, publishedVersion } from './current-notice.js';
import { NOTICE_CONTENT_SECURITY_POLICY, renderNoticeHtml } from './notice.html.js';

/** HTML when the client asks for it before (or instead of) JSON; JSON otherwise. */
export function prefersHtml(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  const html = accept.indexOf('text/html');
  const json = accept.indexOf('application/json');
  return html !== -1 && (json === -1 || html < json);
}

/**
 * The published privacy notices, for anyone (Art. 12(1): easily accessible): no sign-in. Drafts are never shown here;
 * a draft's name answers like an unknown version.
 */
@ConsentRoute()
export class ReadNoticeRoute {
  constructor(private readonly states: NoticeStates) {}

  @Public()
  @Get('privacy-notices/current')
  @ApiOperation({ summary: 'The privacy notice in force for `?lang=pl|en`: JSON, or a printable HTML page with Accept: text/html' })
  async current(
    @Query('lang') lang: unknown,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<PublishedNoticeView | string> {
    const language = noticeLanguage(lang);
    const row = await this.states.byLang(language);
    const current = currentNotice(row?.state, language);
    response.setHeader('cache-control', 'no-cache');
    return answer(current, accept, response);
  }

  @Public()
  @Get('privacy-notices/:version')
  @ApiOperation({ summary: 'A published privacy-notice version (`pl-2`), current or older: JSON, or printable HTML with Accept: text/html' })
  async version(
    @Param('version') name: string,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<PublishedNoticeView | string> {
    const version = publishedVersion(await this.states.version(name));
    // A published version never changes.
    response.setHeader('cache-control', 'public, max-age=86400, immutable');
    return answer(version, accept, response);
  }
}

function answer(version: NoticeVersionState, accept: string | undefined, response: Response): PublishedNoticeView | string {
  const view = publishedNoticeView(version);
  response.setHeader('vary', 'Accept');
  if (!prefersHtml(accept)) return view;
  response.setHeader('content-type', 'text/html; charset=utf-8');
  response.setHeader('content-security-policy', NOTICE_CONTENT_SECURITY_POLICY);
  return renderNoticeHtml(view);
}
