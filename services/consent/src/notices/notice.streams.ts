import { consentApi } from '@crm/api-contract';

/** The languages a privacy notice is published in (Art. 12(1): in a language the person understands). */
export const NOTICE_LANGUAGES = consentApi.NOTICE_LANGUAGES;
export type NoticeLanguage = (typeof NOTICE_LANGUAGES)[number];

export const isNoticeLanguage = (value: unknown): value is NoticeLanguage =>
  typeof value === 'string' && (NOTICE_LANGUAGES as readonly string[]).includes(value);

/** One stream per language: its versions are numbered in order, and publishing one is decided against the others. */
export function noticeStream(lang: NoticeLanguage): string {
  return `privacy-notice-${lang}`;
}

/** The language whose stream `streamId` is, if it is a notice stream. */
export function noticeLanguageOf(streamId: string): NoticeLanguage | undefined {
  const lang = /^privacy-notice-(.+)$/.exec(streamId)?.[1];
  return isNoticeLanguage(lang) ? lang : undefined;
}

/** A version's public name, `<lang>-<number>` (`pl-3`): what a consent names as its `noticeVersion`. */
export function noticeVersion(lang: NoticeLanguage, number: number): string {
  return `${lang}-${number}`;
}

const VERSION = /^([a-z]{2})-([1-9][0-9]{0,8})$/;

/** The language and number a version names, or undefined when it names none (malformed, or a language not offered). */
export function parseNoticeVersion(version: string): { lang: NoticeLanguage; number: number } | undefined {
  const match = VERSION.exec(version);
  if (match === null || !isNoticeLanguage(match[1])) return undefined;
  return { lang: match[1], number: Number(match[2]) };
}
