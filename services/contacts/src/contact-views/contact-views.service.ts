import { Injectable } from '@nestjs/common';
import { AppError } from '@crm/http';
import { CONTACT_FIELDS, minimiseToPurpose, type ContactData, type DataCategory, type Purpose } from '../contact-schema/index.js';
import { AccessRecorder, type AccessChannelName } from '../access-recording/access.recorder.js';
import { basisRequirement } from '../lawful-basis/basis.decision.js';
import { LawfulBasis } from '../lawful-basis/lawful-basis.service.js';
import type { ProcessingContext } from '../processing/processing-context.js';
import { decideRestrictedRead, ensureAllowed, PURPOSE_ACCESS } from '../processing/purpose-access.decision.js';
import { contactErased, contactNotFound, ContactProjection } from '../read-model/contact.projection.js';
import { ContactsRepository, type ContactRow, type SearchCriteria, type TransactionRow } from '../read-model/contacts.repository.js';

/** Transactions shown with a contact; the total is in `transactionCount`. */
const RECENT_TRANSACTIONS = 50;

export interface TransactionView {
  id: string;
  amountCents?: number;
  currency?: string;
  description?: string;
  occurredAt?: string;
  recordedAt: string;
}

export interface ContactView {
  id: string;
  version: number;
  restricted: boolean;
  restrictionReason?: string;
  createdAt: string;
  updatedAt: string;
  /** What the data was minimised to: the purpose the caller stated. */
  purpose: Purpose;
  data: Partial<ContactData>;
  transactionCount: number;
  transactions?: TransactionView[];
}

/**
 * Everything held about one contact, unminimised, for the person's own rights (Art. 15, 20): the whole record, every
 * purchase, and for each field held its data category and the purposes it is processed for.
 */
export interface SubjectDataView {
  id: string;
  version: number;
  restricted: boolean;
  restrictionReason?: string;
  createdAt: string;
  updatedAt: string;
  data: ContactData;
  transactions: TransactionView[];
  fields: Array<{ path: string; category: DataCategory; purposes: Purpose[] }>;
}

/** The most purchases a subject-data read carries (a person with more gets them through the paged purchases route). */
const SUBJECT_DATA_MAX_TRANSACTIONS = 10_000;

export interface ContactPage {
  items: ContactView[];
  /** Pass as `after` for the next page; absent on the last one. */
  next?: string;
}

/**
 * Reading contacts: minimised to the caller's purpose, opened only for the rows on the page, and each contact shown
 * recorded as processing (see AccessRecorder).
 */
@Injectable()
export class ContactViews {
  constructor(
    private readonly contacts: ContactsRepository,
    private readonly projection: ContactProjection,
    private readonly access: AccessRecorder,
    private readonly basis: LawfulBasis,
  ) {}

  /**
   * One contact, if its lawful basis for the purpose is there (else 403 `CONSENT_REQUIRED` / `OBJECTION_RECORDED`) and,
   * when its processing is restricted, the purpose is one the law still allows (else 403 `CONTACT_PROCESSING_RESTRICTED`).
   */
  async view(contactId: string, context: ProcessingContext & { purpose: Purpose }): Promise<ContactView> {
    const row = await this.row(contactId);
    ensureAllowed(decideRestrictedRead(context.purpose, row.restricted), context.purpose);
    await this.basis.ensure(contactId, context, 'view');
    const { view, fields } = await this.#render(row, context.purpose, true);
    this.access.record(context, 'view', [{ contactId, fields }]);
    return view;
  }

  /**
   * The whole contact for a data-subject request (purpose `data-subject-rights`, legal obligation, Art. 12–22): not
   * minimised — the person is owed all of it — and not refused for a restriction or a missing consent (neither
   * limits the person's own access). Recorded as processing like every read, every field shown listed.
   */
  async subjectData(contactId: string, context: ProcessingContext): Promise<SubjectDataView> {
    const row = await this.row(contactId);
    const data = await this.projection.openRecord(row);
    const rows = await this.contacts.transactions(contactId, SUBJECT_DATA_MAX_TRANSACTIONS);
    const transactions = await Promise.all(
      rows.map(async (transaction): Promise<TransactionView> => {
        const details = await this.projection.openTransaction(contactId, transaction);
        return {
          id: transaction.transaction_id,
          amountCents: Number(transaction.amount_cents),
          currency: transaction.currency,
          ...details,
          recordedAt: transaction.recorded_at.toISOString(),
        };
      }),
    );
    const held = new Set(leafPaths(data));
    if (transactions.length > 0) for (const path of leafPaths({ transactions })) held.add(path);
    const fields = CONTACT_FIELDS.filter((spec) => held.has(spec.path)).map((spec) => ({
      path: spec.path,
      category: spec.category,
      purposes: [...spec.purposes],
    }));
    this.access.record(context, 'view', [{ contactId, fields: fields.map((field) => field.path) }]);
    return {
      id: row.contact_id,
      version: Number(row.version),
      restricted: row.restricted,
      ...(row.restriction_reason === null ? {} : { restrictionReason: row.restriction_reason }),
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
      data,
      transactions,
      fields,
    };
  }

  /**
   * A contact just created, shown from the state its creation decided rather than read back: the row the command
   * stored holds exactly this (same data, version and time), so the answer is the same without a round trip and a
   * decryption. Minimised and recorded as any view.
   */
  created(contactId: string, created: { version: bigint; data: ContactData; at: Date }, context: ProcessingContext & { purpose: Purpose }): ContactView {
    const data = minimiseToPurpose(created.data, context.purpose);
    const at = created.at.toISOString();
    this.access.record(context, 'view', [{ contactId, fields: data.fields }]);
    return {
      id: contactId,
      version: Number(created.version),
      restricted: false,
      createdAt: at,
      updatedAt: at,
      purpose: context.purpose,
      data: data.value,
      transactionCount: 0,
    };
  }

  /** The row, or the error a client should see: 404 for an id that never existed, 410 for an erased one. */
  async row(contactId: string): Promise<ContactRow> {
    if (!ContactsRepository.isContactId(contactId)) throw contactNotFound();
    const row = await this.contacts.byId(contactId);
    if (row !== undefined) return row;
    throw (await this.contacts.erasedAt(contactId)) === undefined ? contactNotFound() : contactErased();
  }

  async search(criteria: SearchCriteria, limit: number, after: string | undefined, context: ProcessingContext & { purpose: Purpose }): Promise<ContactPage> {
    // Contacts whose lawful basis for the purpose is missing, and restricted ones unless the purpose may still read them,
    // are left out by the query itself (paging stays exact).
    const filter = {
      requirement: basisRequirement(context.purpose, context.legalBasis),
      purpose: context.purpose,
      includeRestricted: PURPOSE_ACCESS[context.purpose].whileRestricted,
    };
    const rows = await this.contacts.search(criteria, limit + 1, after, (c) => this.projection.queryTokens(c), filter);
    const page = rows.slice(0, limit);
    const { items } = await this.renderMany(page, context.purpose, 'search', context);
    return { items, ...(rows.length > limit ? { next: page.at(-1)!.contact_id } : {}) };
  }

  /**
   * Opens and minimises rows (a row erased while being read is left out) and records the access. `fields` is every
   * catalogue path that was shown, for an export's own record.
   */
  async renderMany(
    rows: readonly ContactRow[],
    purpose: Purpose,
    channel: AccessChannelName,
    context: ProcessingContext,
  ): Promise<{ items: ContactView[]; fields: string[] }> {
    const rendered = await Promise.all(rows.map((row) => this.#render(row, purpose, false).catch(skipErased)));
    const shown = rendered.filter((item) => item !== undefined);
    this.access.record(
      context,
      channel,
      shown.map(({ view, fields }) => ({ contactId: view.id, fields })),
    );
    return { items: shown.map(({ view }) => view), fields: [...new Set(shown.flatMap(({ fields }) => fields))] };
  }

  async #render(row: ContactRow, purpose: Purpose, withTransactions: boolean): Promise<{ view: ContactView; fields: string[] }> {
    const data = minimiseToPurpose(await this.projection.openRecord(row), purpose);
    const fields = new Set(data.fields);
    const view: ContactView = {
      id: row.contact_id,
      version: Number(row.version),
      restricted: row.restricted,
      ...(row.restriction_reason === null ? {} : { restrictionReason: row.restriction_reason }),
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
      purpose,
      data: data.value,
      transactionCount: row.transaction_count,
    };
    if (withTransactions && row.transaction_count > 0) {
      const shown = await this.#renderTransactions(row.contact_id, await this.contacts.transactions(row.contact_id, RECENT_TRANSACTIONS), purpose);
      view.transactions = shown.items;
      for (const field of shown.fields) fields.add(field);
    }
    return { view, fields: [...fields] };
  }

  /** A contact's purchases, newest first, minimised to the purpose and paged by an opaque cursor. */
  async transactions(
    contactId: string,
    limit: number,
    cursor: string | undefined,
    context: ProcessingContext & { purpose: Purpose },
  ): Promise<TransactionPage> {
    const contact = await this.row(contactId);
    ensureAllowed(decideRestrictedRead(context.purpose, contact.restricted), context.purpose);
    await this.basis.ensure(contactId, context, 'view');
    const rows = await this.contacts.transactions(contactId, limit + 1, cursor === undefined ? undefined : decodeCursor(cursor));
    const page = rows.slice(0, limit);
    const { items, fields } = await this.#renderTransactions(contactId, page, context.purpose);
    this.access.record(context, 'view', [{ contactId, fields }]);
    const last = page.at(-1);
    return { items, ...(rows.length > limit && last !== undefined ? { next: encodeCursor(last) } : {}) };
  }

  async #renderTransactions(contactId: string, rows: readonly TransactionRow[], purpose: Purpose): Promise<{ items: TransactionView[]; fields: string[] }> {
    const fields = new Set<string>();
    const items = await Promise.all(
      rows.map(async (transaction) => {
        const details = await this.projection.openTransaction(contactId, transaction);
        const full = { amountCents: Number(transaction.amount_cents), currency: transaction.currency, ...details };
        const shown = minimiseToPurpose(full, purpose, 'transactions[].');
        for (const field of shown.fields) fields.add(field);
        return { id: transaction.transaction_id, ...shown.value, recordedAt: transaction.recorded_at.toISOString() };
      }),
    );
    return { items, fields: [...fields] };
  }
}

export interface TransactionPage {
  items: TransactionView[];
  /** Pass as `before` for the next (older) page; absent on the last one. */
  next?: string;
}

/** Opaque to clients: where the last page ended, as (recorded at, transaction id). */
function encodeCursor(row: TransactionRow): string {
  return Buffer.from(`${row.recorded_at.toISOString()}|${row.transaction_id}`).toString('base64url');
}

function decodeCursor(cursor: string): { recordedAt: Date; transactionId: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const recordedAt = new Date(at ?? '');
  if (Number.isNaN(recordedAt.getTime()) || id === undefined || !ContactsRepository.isContactId(id)) {
    throw new AppError('TRANSACTION_CURSOR_INVALID', 'invalid', 'the cursor is not one this API returned');
  }
  return { recordedAt, transactionId: id };
}

/** The catalogue paths of a value's leaves (`emails[]`, `transactions[].description`). */
function leafPaths(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => leafPaths(item, `${path}[]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => leafPaths(child, path === '' ? key : `${path}.${key}`));
  }
  return value === undefined ? [] : [path];
}

function skipErased(error: unknown): undefined {
  if (error instanceof Error && 'code' in error && error.code === 'CONTACT_ERASED') return undefined;
  throw error;
}
