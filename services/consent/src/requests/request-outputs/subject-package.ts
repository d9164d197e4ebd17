import { writeCsv } from '@crm/http';
import { isAccessTopic } from '@crm/platform';
import type { NoticeRegister } from '../../notices/notice-register.js';
import { PURPOSES, purposeOf } from '../../purposes/purpose.catalogue.js';

// The access package (Art. 15) and the portability files (Art. 20): pure functions of what contacts, audit and this
// service hold about the person, so what a package says is tested without servers. Services never import each
// other, so the shapes read from contacts and audit are declared here, as their API answers them.

/** A purchase, as contacts' subject-data read answers it. */
export interface SubjectPurchase {
  id: string;
  amountCents?: number;
  currency?: string;
  description?: string;
  occurredAt?: string;
  recordedAt: string;
}

/** Contacts' `GET /v1/contacts/{id}/subject-data`: everything held about the contact, unminimised. */
export interface SubjectData {
  id: string;
  version: number;
  restricted: boolean;
  restrictionReason?: string;
  createdAt: string;
  updatedAt: string;
  data: Record<string, unknown>;
  transactions: SubjectPurchase[];
  fields: Array<{ path: string; category: string; purposes: string[] }>;
}

/** An audit entry as audit's subject report answers it (only what a package shows). */
export interface SubjectAuditEntry {
  eventId: string;
  occurredAt: string;
  actorId: string;
  actorType: string;
  action: string;
  purpose: string;
  legalBasis: string;
  fields: string[];
  sourceTopic: string;
}

/** The privacy notice in force, as far as the package names it: which version, and the controller's texts. */
export interface PackageNotice {
  version: string;
  contentSha256?: string;
  controller: string;
  dpoContact: string;
  retention: string;
  recipients: string;
  processors: string;
  rights: string;
  /** Per purpose, what the register's approved activities said when the notice was drafted (retention, recipients, processors). */
  register?: NoticeRegister;
}

/** The contact's consents and objections as this service holds them (current state and history). */
export interface PackageConsents {
  consents: Readonly<Record<string, unknown>>;
  objections: Readonly<Record<string, unknown>>;
  history: readonly unknown[];
}

export const ACCESS_PACKAGE_FORMAT = 'crm.access-package.v1';
export const PORTABILITY_FORMAT = 'crm.portability.v1';

export interface AccessPackage {
  format: typeof ACCESS_PACKAGE_FORMAT;
  requestId: string;
  contactId: string;
  generatedAt: string;
  expiresAt: string;
  contact: {
    createdAt: string;
    updatedAt: string;
    restricted: boolean;
    restrictionReason?: string;
    data: Record<string, unknown>;
  };
  purchases: SubjectPurchase[];
  /** Each field held: its data category and the purposes it is processed for, each with its lawful bases. */
  fieldsHeld: Array<{ path: string; category: string; purposes: Array<{ code: string; lawfulBases: string[] }> }>;
  consents: PackageConsents;
  /** Every purpose the controller processes for, with its lawful bases and the right to object (Art. 15(1)(a), 21). */
  purposes: Array<{ code: string; description: string; lawfulBases: string[]; objection: string }>;
  /** From the privacy notice in force: recipients, processors, retention, the controller and the rights (Art. 15(1)(c)–(e)). */
  notice: PackageNotice | null;
  /** Who accessed the person's data, when, why and on which basis (from the audit trail). */
  accesses: Array<{ at: string; actorId: string; actorType: string; action: string; purpose: string; legalBasis: string; fields: string[] }>;
  /** Every other processing recorded about the person (changes, consents, requests), from the audit trail. */
  processing: Array<{ at: string; actorId: string; actorType: string; action: string; purpose: string; legalBasis: string; fields: string[] }>;
}

export interface AccessPackageInput {
  requestId: string;
  generatedAt: Date;
  expiresAt: Date;
  subject: SubjectData;
  consents: PackageConsents;
  notice: PackageNotice | null;
  trail: readonly SubjectAuditEntry[];
}

export function buildAccessPackage(input: AccessPackageInput): AccessPackage {
  const { subject } = input;
  const entry = (e: SubjectAuditEntry) => ({
    at: e.occurredAt,
    actorId: e.actorId,
    actorType: e.actorType,
    action: e.action.split('.').at(-1) ?? e.action,
    purpose: e.purpose,
    legalBasis: e.legalBasis,
    fields: [...e.fields],
  });
  const byTime = <T extends { at: string }>(items: T[]): T[] => items.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return {
    format: ACCESS_PACKAGE_FORMAT,
    requestId: input.requestId,
    contactId: subject.id,
    generatedAt: input.generatedAt.toISOString(),
    expiresAt: input.expiresAt.toISOString(),
    contact: {
      createdAt: subject.createdAt,
      updatedAt: subject.updatedAt,
      restricted: subject.restricted,
      ...(subject.restrictionReason === undefined ? {} : { restrictionReason: subject.restrictionReason }),
      data: subject.data,
    },
    purchases: subject.transactions,
    fieldsHeld: subject.fields.map((field) => ({
      path: field.path,
      category: field.category,
      purposes: field.purposes.map((code) => ({ code, lawfulBases: [...(purposeOf(code)?.lawfulBases ?? [])] })),
    })),
    consents: input.consents,
    purposes: PURPOSES.map((purpose) => ({
      code: purpose.code,
      description: purpose.description,
      lawfulBases: [...purpose.lawfulBases],
      objection: purpose.objection,
    })),
    notice: input.notice,
    // The access topics record every read, refusal and trail query: "who accessed the data, when".
    accesses: byTime(input.trail.filter((e) => isAccessTopic(e.sourceTopic)).map(entry)),
    processing: byTime(input.trail.filter((e) => !isAccessTopic(e.sourceTopic)).map(entry)),
  };
}

export type PackageFormat = 'json' | 'html' | 'csv';

export interface PackageFile {
  format: PackageFormat;
  contentType: string;
  content: string;
}

export const PACKAGE_CONTENT_TYPES: Readonly<Record<PackageFormat, string>> = {
  json: 'application/json; charset=utf-8',
  html: 'text/html; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

/** The printable page: self-contained, no script, no style, no external resource; every value escaped. */
export const PACKAGE_CONTENT_SECURITY_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const escapeHtml = (value: unknown): string =>
  String(value).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');

/** `[path, value]` for every leaf of a value (`emails[0]`, `address[1].city`), in document order. */
export function leaves(value: unknown, path = ''): Array<[string, string]> {
  if (Array.isArray(value)) return value.flatMap((item, index) => leaves(item, `${path}[${index}]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => leaves(child, path === '' ? key : `${path}.${key}`));
  }
  return value === undefined || value === null ? [] : [[path, String(value)]];
}

export function renderAccessPackageHtml(pkg: AccessPackage): string {
  const table = (header: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string =>
    rows.length === 0
      ? '<p>None.</p>'
      : `<table><thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
          .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
          .join('')}</tbody></table>`;
  const consentRows = Object.entries(pkg.consents.consents).map(([purpose, state]) => [purpose, JSON.stringify(state)]);
  const objectionRows = Object.entries(pkg.consents.objections).map(([purpose, state]) => [purpose, JSON.stringify(state)]);
  const trailRows = (items: AccessPackage['accesses']) =>
    items.map((e) => [e.at, `${e.actorType.toLowerCase()} ${e.actorId}`, e.action, e.purpose, e.legalBasis, e.fields.join(', ')]);
  const notice = pkg.notice;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Your personal data (request ${escapeHtml(pkg.requestId)})</title></head>
<body>
<h1>Your personal data</h1>
<p>Answer to your access request ${escapeHtml(pkg.requestId)} (GDPR Art. 15), generated ${escapeHtml(pkg.generatedAt)}.</p>
<h2>The data we hold</h2>
${table(['field', 'value'], leaves(pkg.contact.data))}
<p>Recorded since ${escapeHtml(pkg.contact.createdAt)}, last changed ${escapeHtml(pkg.contact.updatedAt)}${pkg.contact.restricted ? '; processing is restricted' : ''}.</p>
<h2>Purchases</h2>
${table(
  ['recorded', 'occurred', 'description', 'amount (minor units)', 'currency'],
  pkg.purchases.map((p) => [p.recordedAt, p.occurredAt ?? '', p.description ?? '', p.amountCents ?? '', p.currency ?? '']),
)}
<h2>Why we process each field</h2>
${table(
  ['field', 'category', 'purposes (lawful bases)'],
  pkg.fieldsHeld.map((f) => [f.path, f.category, f.purposes.map((p) => `${p.code} (${p.lawfulBases.join(', ')})`).join('; ')]),
)}
<h2>Purposes and lawful bases</h2>
${table(
  ['purpose', 'description', 'lawful bases', 'right to object'],
  pkg.purposes.map((p) => [p.code, p.description, p.lawfulBases.join(', '), p.objection]),
)}
<h2>Your consents and objections</h2>
${table(['purpose', 'consent'], consentRows)}
${table(['purpose', 'objection'], objectionRows)}
<h2>Recipients, processors and retention</h2>
${
  notice === null
    ? '<p>No privacy notice is published.</p>'
    : table(
        ['', ''],
        [
          ['privacy notice', `${notice.version}${notice.contentSha256 === undefined ? '' : ` (SHA-256 ${notice.contentSha256})`}`],
          ['controller', notice.controller],
          ['data protection officer', notice.dpoContact],
          ['recipients', notice.recipients],
          ['processors', notice.processors],
          ['retention', notice.retention],
          ['your rights', notice.rights],
        ].filter(([, value]) => value !== ''),
      ) +
      (notice.register === undefined
        ? ''
        : table(
            ['purpose', 'kept', 'recipients', 'processors', 'transfers outside the EEA'],
            notice.register.purposes
              .filter((p) => p.declared)
              .map((p) => [
                p.code,
                p.retention.map((r) => `${r.period}${r.note === undefined ? '' : ` (${r.note})`}`).join('; '),
                p.recipients.join('; '),
                p.processors.join('; '),
                p.transfers.map((t) => `${t.recipient} (${t.country}, ${t.safeguard})`).join('; '),
              ]),
          ))
}
<h2>Who accessed your data</h2>
${table(['when', 'who', 'what', 'purpose', 'legal basis', 'fields'], trailRows(pkg.accesses))}
<h2>Other processing of your data</h2>
${table(['when', 'who', 'what', 'purpose', 'legal basis', 'fields'], trailRows(pkg.processing))}
<p>This copy is available until ${escapeHtml(pkg.expiresAt)}.</p>
</body></html>
`;
}

export interface PortabilityData {
  format: typeof PORTABILITY_FORMAT;
  requestId: string;
  contactId: string;
  generatedAt: string;
  /** What the person provided: the contact record as given (and rectified) by them. */
  contact: Record<string, unknown>;
  /** Purchases: data generated by the person's own activity under the contract. */
  purchases: Array<{ amountCents?: number; currency?: string; description?: string; occurredAt?: string }>;
}

/**
 * Art. 20: the data the person provided, in a structured, commonly used, machine-readable format — JSON and CSV.
 * Not what the controller derived or recorded about them (access records, bases, internal ids of purchases).
 */
export function buildPortability(requestId: string, subject: SubjectData, generatedAt: Date): { data: PortabilityData; files: PackageFile[] } {
  const data: PortabilityData = {
    format: PORTABILITY_FORMAT,
    requestId,
    contactId: subject.id,
    generatedAt: generatedAt.toISOString(),
    contact: subject.data,
    purchases: subject.transactions.map(({ amountCents, currency, description, occurredAt }) => ({
      ...(amountCents === undefined ? {} : { amountCents }),
      ...(currency === undefined ? {} : { currency }),
      ...(description === undefined ? {} : { description }),
      ...(occurredAt === undefined ? {} : { occurredAt }),
    })),
  };
  const rows = [
    ...leaves(data.contact).map(([path, value]) => ['contact', path, value]),
    ...leaves({ purchases: data.purchases }).map(([path, value]) => ['purchase', path, value]),
  ];
  return {
    data,
    files: [
      { format: 'json', contentType: PACKAGE_CONTENT_TYPES.json, content: JSON.stringify(data, null, 2) },
      { format: 'csv', contentType: PACKAGE_CONTENT_TYPES.csv, content: writeCsv(['section', 'field', 'value'], rows) },
    ],
  };
}

export function accessPackageFiles(pkg: AccessPackage): PackageFile[] {
  return [
    { format: 'json', contentType: PACKAGE_CONTENT_TYPES.json, content: JSON.stringify(pkg, null, 2) },
    { format: 'html', contentType: PACKAGE_CONTENT_TYPES.html, content: renderAccessPackageHtml(pkg) },
  ];
}

/**
 * The erasure receipt (Art. 17, 5(2)): what was destroyed, the key vault's ledger entry, the events that record it,
 * and the consent records as they remain — a pseudonymous proof (purposes, times, notice versions and hashes under
 * the contact's id; every evidence text was sealed under the destroyed key). PII-free by construction: ids, codes,
 * times and hashes only. The inclusion proof of the erasure event is read from the audit service when the receipt is
 * shown (the trail ingests the event within seconds; until then it says `pending`).
 */
export interface ErasureReceipt {
  format: 'crm.erasure-receipt.v1';
  requestId: string;
  contactId: string;
  erasedAt: string;
  completedAt: string;
  /** Whether the desk's call erased the contact, or it had been erased before (the receipt then records that). */
  alreadyErased: boolean;
  destroyed: {
    /** The contact's data keys: every copy sealed under them (events in Postgres and both Kafka clusters, read models, backups, packages) is unreadable. */
    dataKeyVersions: number[];
    readModels: string[];
    requestPackagesDeleted: number;
  };
  ledger: { subjectId: string; erasedAt: string; reason: string; keyVersions: number[] };
  events: Array<{ eventId: string; type: string; service: string }>;
  consentRecords: {
    /** What remains of each consent: the purpose, its status and dates and the notice it was given against; no evidence. */
    consents: Array<{ purpose: string; status: string; givenAt?: string; withdrawnAt?: string; noticeVersion?: string; noticeContentSha256?: string }>;
    objections: Array<{ purpose: string; recordedAt?: string }>;
    evidence: 'destroyed with the key';
  };
}

/** The consent records of an erased contact, reduced to what proves them without the person's data. */
export function pseudonymousConsentProof(consents: PackageConsents): ErasureReceipt['consentRecords'] {
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  return {
    consents: Object.entries(consents.consents).map(([purpose, raw]) => {
      const state = (raw ?? {}) as Record<string, unknown>;
      const optional = (key: string) => (text(state[key]) === undefined ? {} : { [key]: text(state[key]) });
      return {
        purpose,
        status: text(state.status) ?? 'unknown',
        ...optional('givenAt'),
        ...optional('withdrawnAt'),
        ...optional('noticeVersion'),
        ...optional('noticeContentSha256'),
      };
    }),
    objections: Object.entries(consents.objections).map(([purpose, raw]) => {
      const recordedAt = text(((raw ?? {}) as Record<string, unknown>).recordedAt);
      return { purpose, ...(recordedAt === undefined ? {} : { recordedAt }) };
    }),
    evidence: 'destroyed with the key',
  };
}
