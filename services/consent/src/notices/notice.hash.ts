import { createHash } from 'node:crypto';
import type { NoticeContent } from './notice.decider.js';

export type Canonical = string | number | boolean | null | readonly Canonical[] | { readonly [key: string]: Canonical };

/**
 * The canonical serialisation of a JSON value: RFC 8785 (JCS) for the values a notice holds — objects with their
 * keys sorted by UTF-16 code units, arrays in order, strings escaped as `JSON.stringify` escapes them, integers in
 * decimal, no whitespace. The texts were normalised to Unicode NFC when the version was drafted.
 */
export function canonicalJson(value: Canonical): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item as Canonical)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const object = value as { readonly [key: string]: Canonical };
    return `{${Object.keys(object)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key]!)}`)
      .join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new Error('only integers are canonicalised');
  return JSON.stringify(value);
}

/**
 * A version's content hash: SHA-256, lowercase hex, of the UTF-8 bytes of the canonical serialisation of
 * `{ version, lang, catalogueVersion, purposes: [{ code, lawfulBases, objection, description }], controller,
 * dpoContact, retention, recipients, processors, rights, register? }` — everything the notice says, nothing about who drafted
 * or published it, or when.
 */
export function noticeContentSha256(content: NoticeContent): string {
  const canonical: Canonical = {
    version: content.version,
    lang: content.lang,
    catalogueVersion: content.catalogueVersion,
    purposes: content.purposes.map((purpose) => ({
      code: purpose.code,
      lawfulBases: [...purpose.lawfulBases],
      objection: purpose.objection,
      description: purpose.description,
    })),
    controller: content.controller,
    dpoContact: content.dpoContact,
    retention: content.retention,
    recipients: content.recipients,
    processors: content.processors,
    rights: content.rights,
    // Only on versions that have it, so the hash of a version drafted before notices read the register is unchanged.
    ...(content.register === undefined ? {} : { register: content.register as unknown as Canonical }),
  };
  return createHash('sha256').update(canonicalJson(canonical), 'utf8').digest('hex');
}
